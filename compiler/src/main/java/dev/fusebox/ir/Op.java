package dev.fusebox.ir;

import java.util.List;

/**
 * One kind of operation, defined in one place: its shape rule, its reference semantics (used by the
 * interpreter, in float32 or float64) and its gradient rule, written as graph nodes so that the
 * backward pass is itself a graph. Ops are immutable values: two equal ops applied to the same inputs
 * compute the same value (unless {@link #isPure()} is false).
 */
public interface Op {

  /** Lower-case name as printed ({@code matmul}, {@code relu}). */
  String name();

  /** Attributes as printed inside brackets after the name ({@code transB}, {@code alpha=0.01}), or "". */
  default String attributes() {
    return "";
  }

  /** Exact number of inputs. */
  int arity();

  /** Output shape, or {@code check.fail(...)} naming what is wrong. */
  Shape shape(ShapeCheck check);

  default DType dtype() {
    return DType.F32;
  }

  /** Reference semantics: fills {@code out} from {@code in}. */
  void eval(Buffer[] in, Buffer out, EvalContext ctx);

  /**
   * The gradient rule (vector–Jacobian product): given the node {@code y} this op computed and the
   * gradient {@code dy} of the loss with respect to it, returns for each input the gradient with
   * respect to that input (same shape as the input), or {@code null} where none flows (labels,
   * integer inputs, non-differentiable arguments).
   */
  List<Node> vjp(Gradients g, Node y, Node dy);

  /**
   * False for ops whose value is not a function of their inputs alone: graph inputs, variables,
   * random masks. Such nodes are never merged by common-subexpression elimination nor constant-folded.
   */
  default boolean isPure() {
    return true;
  }

  /**
   * True for ops whose value depends on the run-time count of valid rows (losses and their
   * gradients): they must be evaluated when the program runs, never folded at compile time.
   */
  default boolean readsValidRows() {
    return false;
  }

  /**
   * Which axes of the output run along the batch ({@link BatchAxes}), given the inputs' batch axes
   * ({@code inputAxes[i]} for input i): what a program with fewer valid rows may leave uncomputed. The
   * default, no batch axis, is always safe: the op's code computes its whole output.
   */
  default int batchAxes(Shape out, List<Node> inputs, int[] inputAxes) {
    return BatchAxes.NONE;
  }

  /**
   * Code generation for ops that are not elementwise or matmuls: writes scalar Java computing the
   * output from the inputs. Elementwise ops are generated from their expression and matmuls by the
   * kernel templates, so they need not implement this.
   */
  default void lower(Lowering l) {
    throw new UnsupportedOperationException("no code generation for op " + name());
  }

  /** Extra text printed after the name and attributes, such as an elementwise body in braces; or "". */
  default String body() {
    return "";
  }

  /** True for the graph's inputs, which the program's user sets before each run. */
  default boolean isGraphInput() {
    return false;
  }

  /** True for constants: values fixed when the graph is built. */
  default boolean isConstant() {
    return false;
  }

  /** Inputs, variables and constants hold values without computing them: no kernel runs them. */
  default boolean isSource() {
    return isGraphInput() || isVariable() || isConstant();
  }

  /** True for parameters and optimizer state: persistent values a training step may update. */
  default boolean isVariable() {
    return false;
  }

  /** True for trainable parameters, the variables a loss is differentiated with respect to; false for optimizer state. */
  default boolean isTrainable() {
    return false;
  }
}
