package dev.fusebox.ops;

import static dev.fusebox.ops.alu.Expr.x;

import dev.fusebox.ir.BatchAxes;
import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Gradients;
import dev.fusebox.ir.Lowering;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.ir.ShapeCheck;
import java.util.List;

/**
 * Softmax along each row, or its logarithm ({@code log=true}). Both subtract the row maximum first,
 * so logits of ±1e4 give exact results instead of overflow.
 */
public record Softmax(boolean log) implements Op {

  @Override
  public String name() {
    return log ? "log_softmax" : "softmax";
  }

  @Override
  public int arity() {
    return 1;
  }

  /** Row by row: batch rows stay batch rows. */
  @Override
  public int batchAxes(Shape out, List<Node> inputs, int[] inputAxes) {
    return inputAxes[0] & BatchAxes.ROWS;
  }

  @Override
  public Shape shape(ShapeCheck c) {
    c.requireFloat(0, "logits");
    c.requireMatrix(0, "logits");
    return c.in(0);
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    int rows = out.shape().rows(), cols = out.shape().cols();
    for (int r = 0; r < rows; r++) {
      double max = rowMax(in[0], r, cols), logSum = logSumShifted(in[0], r, cols, max);
      for (int c = 0; c < cols; c++) {
        double v = logSoftmax(in[0].get(r * cols + c), max, logSum);
        out.set(r * cols + c, log ? v : Math.exp(v));
      }
    }
  }

  /** The largest value in row r. */
  static double rowMax(Buffer b, int r, int cols) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < cols; c++) max = Math.max(max, b.get(r * cols + c));
    return max;
  }

  /** log Σ exp(z − max) over row r: at least 0, as the maximum contributes e⁰ = 1. */
  static double logSumShifted(Buffer b, int r, int cols, double max) {
    if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) return max;
    double sum = 0;
    for (int c = 0; c < cols; c++) sum += Math.exp(b.get(r * cols + c) - max);
    return Math.log(sum);
  }

  /**
   * log softmax of z as (z − max) − log Σ exp(z − max): z − max is exact for nearby values, so the
   * result is as accurate for logits near 1e4 as near 0 (max + log Σ would round away digits).
   */
  static double logSoftmax(double z, double max, double logSum) {
    return (z - max) - logSum;
  }

  /**
   * softmax: dx = y ⊙ (dy − Σⱼ dy·y); log-softmax: dx = dy − eʸ ⊙ Σⱼ dy (row sums).
   */
  @Override
  public List<Node> vjp(Gradients g, Node y, Node dy) {
    if (log) {
      Node s = g.add(Reduce.sum(Axis.PER_ROW), dy);
      return List.of(g.add(Elementwise.plain("log_softmax_grad", 3, x(1).sub(x(0).exp().mul(x(2)))), y, dy, s));
    }
    Node t = g.add(Arithmetic.mul(), dy, y);
    Node s = g.add(Reduce.sum(Axis.PER_ROW), t);
    return List.of(g.add(Elementwise.plain("softmax_grad", 3, x(0).mul(x(1).sub(x(2)))), y, dy, s));
  }

  @Override
  public void lower(Lowering l) {
    int rows = l.outputShape().rows(), cols = l.outputShape().cols();
    String in = l.input(0), out = l.output();
    l.begin("for (int r = 0; r < $L; r++)", rows);
    Lowerings.logSumExp(l, in, "r", cols);
    l.begin("for (int c = 0; c < $L; c++)", cols);
    String v = "((" + in + "[r * " + cols + " + c] - max) - logSum)";
    l.statement("$L[r * $L + c] = (float) $L", out, cols, log ? v : "Math.exp(" + v + ")");
    l.end();
    l.end();
  }
}
