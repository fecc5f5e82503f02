package dev.fusebox.ops;

import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.DType;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Gradients;
import dev.fusebox.ir.Lowering;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.ir.ShapeCheck;
import java.util.Arrays;
import java.util.List;

/**
 * A loss: {@code (prediction [r, c], target) → []}, the mean over the valid rows of a per-row loss
 * (for elementwise losses, over valid rows × columns). Rows past the valid count contribute nothing,
 * to the value or to the gradient. The gradients are {@link LossGrad} nodes evaluating
 * {@link #gradient} (with respect to the prediction) and {@link #targetGradient} (with respect to a
 * float target, for targets that are themselves computed, as in distillation); labels receive none.
 */
public interface Loss extends Op {

  /** Whether integer class labels {@code [r]} are accepted as the target. */
  boolean acceptsLabels();

  /** The loss over the first {@code rows} rows. */
  double value(Buffer prediction, Buffer target, int rows);

  /** Writes dLoss/dPrediction · dy for the first {@code rows} rows into {@code out}; other rows are 0. */
  void gradient(Buffer prediction, Buffer target, double dy, int rows, Buffer out);

  /** Writes dLoss/dTarget · dy for a float target, for the first {@code rows} rows; other rows are 0. */
  void targetGradient(Buffer prediction, Buffer target, double dy, int rows, Buffer out);

  /**
   * Code for the gradient: inputs 0 and 1 are the prediction and target, input 2 the scalar dy. The
   * output is zero beyond the valid rows.
   */
  void lowerGradient(Lowering l, boolean wrtTarget);

  @Override
  default int arity() {
    return 2;
  }

  @Override
  default boolean readsValidRows() {
    return true;
  }

  @Override
  default Shape shape(ShapeCheck c) {
    c.requireFloat(0, "prediction");
    c.requireMatrix(0, "prediction");
    Shape p = c.in(0), t = c.in(1);
    if (c.dtype(1) == DType.I32) {
      if (!acceptsLabels()) c.fail("needs float targets shaped like the prediction, not integer labels");
      if (!t.equals(Shape.of(p.dim(0)))) c.fail("labels must have shape [%d] (one per row), not %s", p.dim(0), t);
      if (c.input(1).op() instanceof Input in && in.classes() != p.dim(1)) {
        c.fail("labels '%s' have %d classes but the prediction has %d columns", c.input(1).name(), in.classes(), p.dim(1));
      }
    } else if (!t.equals(p)) {
      c.fail("target shape %s differs from prediction shape %s", t, p);
    }
    return Shape.scalar();
  }

  @Override
  default void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    out.set(0, value(in[0], in[1], ctx.validRows(in[0].shape().rows())));
  }

  @Override
  default List<Node> vjp(Gradients g, Node y, Node dy) {
    Node target = y.input(1);
    Node dTarget = target.dtype() == DType.I32 ? null : g.add(new LossGrad(this, true), y.input(0), target, dy);
    return Arrays.asList(g.add(new LossGrad(this, false), y.input(0), target, dy), dTarget);
  }

  /** Target value (r, c): a float target, or 1/0 from an integer label (checked to be a class index). */
  static double target(Buffer t, int r, int c, int classes) {
    if (!t.isInt()) return t.get(r * classes + c);
    int label = t.label(r);
    if (label < 0 || label >= classes) {
      throw new IllegalArgumentException("label " + label + " in row " + r + " is outside [0, " + classes + ")");
    }
    return label == c ? 1 : 0;
  }

  /** The gradient of a loss with respect to its prediction or its target: {@code (prediction, target, dy) → [r, c]}. */
  record LossGrad(Loss loss, boolean wrtTarget) implements Op {
    @Override
    public String name() {
      return loss.name() + (wrtTarget ? "_target_grad" : "_grad");
    }

    @Override
    public String attributes() {
      return loss.attributes();
    }

    @Override
    public int arity() {
      return 3;
    }

    @Override
    public boolean readsValidRows() {
      return true;
    }

    @Override
    public Shape shape(ShapeCheck c) {
      if (!c.in(2).isScalar()) c.fail("upstream gradient must be a scalar, not %s", c.in(2));
      return c.in(0);
    }

    /** Shaped like the prediction, row for row. */
    @Override
    public int batchAxes(Shape out, List<Node> inputs, int[] inputAxes) {
      return inputAxes[0];
    }

    @Override
    public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
      out.fill(0);
      int rows = ctx.validRows(in[0].shape().rows());
      if (wrtTarget) loss.targetGradient(in[0], in[1], in[2].get(0), rows, out);
      else loss.gradient(in[0], in[1], in[2].get(0), rows, out);
    }

    @Override
    public List<Node> vjp(Gradients g, Node y, Node dy) {
      throw new UnsupportedOperationException(name() + ": second derivatives are not supported");
    }

    @Override
    public void lower(Lowering l) {
      loss.lowerGradient(l, wrtTarget);
    }
  }
}
