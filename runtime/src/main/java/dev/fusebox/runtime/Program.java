package dev.fusebox.runtime;

import java.util.List;

/**
 * A compiled or interpreted training program: the one contract that generated classes and the
 * reference interpreter both implement, so any test, trainer or benchmark can swap one for the other.
 *
 * <p>A program has a fixed batch size (its inputs' first dimension). It may run fewer valid rows than
 * that ({@link #setValidRows}); the valid rows are always the first ones, and losses average over them
 * only. A generated program then computes only those rows of every value that runs along the batch,
 * at a cost that grows with the valid rows, not the batch: the rows past them of such an output (a
 * prediction) hold nothing meaningful. A program is not thread-safe: create one per thread.
 */
public interface Program extends AutoCloseable {

  /** The inputs this program reads, in declaration order. */
  List<InputSpec> inputs();

  /** The compiled batch size: the first dimension of every batched input. */
  int batchSize();

  /** Copies {@code values} (row-major, exactly the input's size) into the named input. */
  void setInput(String name, float[] values);

  /** Copies integer class labels (one per row, each in {@code [0, classes)}) into the named input. */
  void setLabels(String name, int[] labels);

  /** Sets a scalar input such as a learning rate that a schedule changes between steps. */
  void setScalar(String name, float value);

  /**
   * How many leading rows of the batch are real data ({@code 1..batchSize()}); the default is all. Rows
   * past them are not computed: read only the valid rows of batch-shaped outputs.
   */
  void setValidRows(int rows);

  /** Evaluates the graph's outputs in inference mode (no dropout), without changing any state. */
  void forward();

  /**
   * One training step: forward pass in training mode, backward pass, and the optimizer's update of
   * every parameter and its state. Returns the batch loss computed by the forward pass (before the
   * update). Allocates nothing.
   */
  float step();

  /**
   * Training steps taken so far: {@link #step()} adds one, and the count seeds dropout masks (step
   * {@code s} draws from the seed, {@code s} and the element alone). A new program starts at 0.
   */
  long stepCount();

  /**
   * Sets the step count, to resume training where a saved state left off: the next {@link #step()}
   * draws the dropout masks of step {@code steps}, as the uninterrupted run would have.
   *
   * @throws IllegalArgumentException if {@code steps} is negative
   */
  void setStepCount(long steps);

  /**
   * The value of a named output ({@code loss}, {@code layers.0.weight.grad}) or of any named node after
   * the last {@link #forward} or {@link #step}, as a new array.
   */
  float[] read(String name);

  /** Shape of a named output or node. */
  int[] shape(String name);

  /** Names of the trainable parameters, in declaration order (a subset of {@link #state()}'s names). */
  List<String> parameterNames();

  /** A copy of every parameter and every optimizer state tensor, by name. */
  NamedTensors state();

  /**
   * Replaces the named parameters and state tensors with {@code values}. Every name, shape and value
   * is checked before anything is copied: if any is wrong, the program's state is left untouched and
   * the exception names the tensor. Tensors the program has but {@code values} lacks keep their values.
   */
  void load(NamedTensors values);

  /**
   * After a run that produced a non-finite value: the first node (in graph order) holding one, with
   * its op, call site and element, for example {@code add 'layers.0.z' (#5) at Model.java:12 produced
   * NaN at [3, 17]}; null if every value is finite.
   */
  String firstNonFinite();

  /** The generated Java source, or for the interpreter the graph text it runs. */
  String source();

  /** Releases threads a program may hold (programs with more than one thread); nothing else needs it. */
  @Override
  default void close() {}

  /**
   * Copies what {@link #read} returns into {@code into} from {@code offset} on; a generated program
   * allocates nothing doing it, for callers that read the same values every step (the gradients a
   * data-parallel trainer sums).
   *
   * @throws IllegalArgumentException as {@link #read}, or if the value does not fit from {@code offset}
   */
  default void readInto(String name, float[] into, int offset) {
    float[] value = read(name);
    if (offset < 0 || offset > into.length - value.length) {
      throw new IllegalArgumentException("'" + name + "' has " + value.length + " values, which do not fit from " + offset
          + " into an array of " + into.length);
    }
    System.arraycopy(value, 0, into, offset, value.length);
  }

  /**
   * Replaces the values of variables {@code names[i]} with {@code values[i]}, each exactly the
   * variable's size, as {@link #load} does but taking non-finite values as they are: for handing one
   * program's variables to another every step (the parameters a data-parallel worker takes from the
   * update program), where a NaN must travel on and surface as the next loss, as it would in one
   * program. A generated program allocates nothing doing it.
   *
   * @throws IllegalArgumentException if a name is not a variable or an array is not its size
   */
  default void copyVariables(String[] names, float[][] values) {
    NamedTensors t = new NamedTensors();
    for (int i = 0; i < names.length; i++) t.put(names[i], new FloatTensor(shape(names[i]), values[i].clone()));
    load(t);
  }
}
