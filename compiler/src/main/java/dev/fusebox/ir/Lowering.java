package dev.fusebox.ir;

/**
 * What an op's code generation sees: Java expressions for its inputs' and output's arrays (row-major,
 * float[] or int[] for labels) and a sink for statements, in JavaPoet's format ({@code $L} literal,
 * {@code $T} type). Ops that are not elementwise write plain scalar loops here; the vector backend
 * uses them too, as such ops (losses, softmax, reductions) cost little next to the matmuls.
 */
public interface Lowering {

  /** The array holding input {@code i}. */
  String input(int i);

  Shape inputShape(int i);

  Shape outputShape();

  /** The array the output is written to. */
  String output();

  /** An int expression: rows of a tensor with {@code rows} rows that hold data (losses average over these). */
  String validRows(int rows);

  /** A boolean expression: true in a training step (dropout on). */
  String training();

  /** A long expression: the number of steps taken before this one (seeds dropout masks). */
  String step();

  /** A local variable name not used elsewhere in the method. */
  String local(String base);

  /** {@code for (...) {}}, {@code if (...) {}}: opens a block. */
  void begin(String format, Object... args);

  /** Closes the innermost block. */
  void end();

  /** A statement; the semicolon is added. */
  void statement(String format, Object... args);
}
