package dev.fusebox.ops;

import dev.fusebox.ir.BatchAxes;
import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Gradients;
import dev.fusebox.ir.Lowering;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.ir.ShapeCheck;
import dev.fusebox.ops.alu.Expr;
import java.util.List;

/**
 * Sum or mean over all elements, per row or per column. Summation is in double precision. Note that
 * a mean over the batch rows counts every row; the losses are what honour the valid-row count.
 */
public record Reduce(boolean mean, Axis axis) implements Op {

  public static Reduce sum(Axis axis) {
    return new Reduce(false, axis);
  }

  public static Reduce mean(Axis axis) {
    return new Reduce(true, axis);
  }

  @Override
  public String name() {
    return mean ? "mean" : "sum";
  }

  @Override
  public String attributes() {
    return axis == Axis.ALL ? "" : axis.text();
  }

  @Override
  public int arity() {
    return 1;
  }

  /** The axis that is kept keeps its batch; the one summed goes. */
  @Override
  public int batchAxes(Shape out, List<Node> inputs, int[] inputAxes) {
    return axis == Axis.PER_ROW ? inputAxes[0] & BatchAxes.ROWS : axis == Axis.PER_COLUMN ? inputAxes[0] & BatchAxes.COLS : BatchAxes.NONE;
  }

  @Override
  public Shape shape(ShapeCheck c) {
    c.requireFloat(0, "operand");
    if (axis == Axis.ALL) return Shape.scalar();
    c.requireMatrix(0, "operand");
    return axis == Axis.PER_ROW ? Shape.of(c.in(0).dim(0), 1) : Shape.of(1, c.in(0).dim(1));
  }

  /** How many elements each output sums. */
  private int count(Shape in) {
    return axis == Axis.ALL ? in.size() : axis == Axis.PER_ROW ? in.cols() : in.rows();
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    Shape s = in[0].shape();
    int rows = s.rows(), cols = s.cols();
    double[] acc = new double[out.size()];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int o = axis == Axis.ALL ? 0 : axis == Axis.PER_ROW ? r : c;
        acc[o] += in[0].get(r * cols + c);
      }
    }
    double scale = mean ? 1.0 / count(s) : 1.0;
    for (int o = 0; o < acc.length; o++) out.set(o, acc[o] * scale);
  }

  @Override
  public List<Node> vjp(Gradients g, Node y, Node dy) {
    Node grad = g.add(new BroadcastTo(y.input(0).shape()), dy);
    if (mean) {
      double k = 1.0 / count(y.input(0).shape());
      grad = g.add(Elementwise.plain("scale", 1, Expr.x(0).mul(k)), grad);
    }
    return List.of(grad);
  }

  /** Sums in double, like the reference semantics. */
  @Override
  public void lower(Lowering l) {
    Shape s = l.inputShape(0);
    int rows = s.rows(), cols = s.cols();
    String in = l.input(0), out = l.output(), acc = l.local("sum");
    double scale = mean ? 1.0 / count(s) : 1.0;
    if (axis == Axis.ALL) {
      l.statement("double $L = 0", acc);
      l.begin("for (int i = 0; i < $L; i++)", s.size());
      l.statement("$L += $L[i]", acc, in);
      l.end();
      l.statement("$L[0] = (float) ($L * $L)", out, acc, scale);
      return;
    }
    boolean perRow = axis == Axis.PER_ROW;
    l.begin("for (int o = 0; o < $L; o++)", perRow ? rows : cols);
    l.statement("double $L = 0", acc);
    l.begin("for (int i = 0; i < $L; i++)", perRow ? cols : rows);
    l.statement("$L += $L[$L]", acc, in, perRow ? "o * " + cols + " + i" : "i * " + cols + " + o");
    l.end();
    l.statement("$L[o] = (float) ($L * $L)", out, acc, scale);
    l.end();
  }
}
