package dev.fusebox.ops;

import dev.fusebox.ir.BatchAxes;
import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.DType;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Shape;
import dev.fusebox.runtime.InputKind;
import java.util.List;
import java.util.Locale;

/**
 * A graph input, set by the program's user before each run. Labels are int32 {@code [batch]}. A
 * scalar input (a learning rate) starts at {@code initial} until it is set.
 */
public record Input(InputKind kind, Shape shape, int classes, double initial) implements SourceOp {

  public Input(InputKind kind, Shape shape, int classes) {
    this(kind, shape, classes, 0);
  }

  /** A scalar input such as a learning rate, holding {@code initial} until set. */
  public static Input scalar(double initial) {
    return new Input(InputKind.SCALAR, Shape.scalar(), 0, initial);
  }

  /** A whole tensor set between steps, such as a summed gradient (no row is an example). */
  public static Input gradient(Shape shape) {
    return new Input(InputKind.GRADIENT, shape, 0, 0);
  }

  /** Rows of features, targets and one-hot labels are the batch; so are the entries of class labels. */
  @Override
  public int batchAxes(Shape out, List<Node> inputs, int[] inputAxes) {
    if (kind == InputKind.SCALAR || kind == InputKind.GRADIENT) return BatchAxes.NONE;
    return kind == InputKind.LABELS ? BatchAxes.COLS : BatchAxes.ROWS;
  }

  @Override
  public String name() {
    return "input";
  }

  @Override
  public String attributes() {
    String k = kind.name().toLowerCase(Locale.ROOT);
    if (kind == InputKind.LABELS) return k + ",classes=" + classes;
    return kind == InputKind.SCALAR && initial != 0 ? k + ",initial=" + Arithmetic.fmt(initial) : k;
  }

  @Override
  public DType dtype() {
    return kind == InputKind.LABELS ? DType.I32 : DType.F32;
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    // Set from outside.
  }

  @Override
  public boolean isGraphInput() {
    return true;
  }

  @Override
  public boolean isPure() {
    return false;
  }
}
