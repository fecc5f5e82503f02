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
import java.util.List;

/**
 * Maxout: the input's columns form groups of {@code k} consecutive pieces; each output unit is the
 * maximum of its group, {@code [r, units·k] → [r, units]}. A maxout layer is a dense layer with
 * units·k outputs followed by this op. The gradient goes to the first piece attaining the maximum
 * (ties resolved towards the lowest index, deterministically).
 */
public record Maxout(int k) implements Op {

  public Maxout {
    if (k < 2) throw new IllegalArgumentException("maxout needs k >= 2 pieces per unit, got " + k);
  }

  @Override
  public String name() {
    return "maxout";
  }

  @Override
  public String attributes() {
    return "k=" + k;
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
    c.requireFloat(0, "operand");
    c.requireMatrix(0, "operand");
    if (c.in(0).dim(1) % k != 0) c.fail("%d columns do not split into groups of k=%d", c.in(0).dim(1), k);
    return Shape.of(c.in(0).dim(0), c.in(0).dim(1) / k);
  }

  /** Column of the first maximum in group {@code u} of row {@code r}. */
  static int argmax(Buffer x, int r, int u, int k) {
    int cols = x.shape().cols(), best = u * k;
    double max = x.get(r * cols + best);
    for (int j = 1; j < k; j++) {
      double v = x.get(r * cols + u * k + j);
      if (v > max) {
        max = v;
        best = u * k + j;
      }
    }
    return best;
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    int rows = out.shape().dim(0), units = out.shape().dim(1), cols = in[0].shape().cols();
    for (int r = 0; r < rows; r++) {
      for (int u = 0; u < units; u++) out.set(r * units + u, in[0].get(r * cols + argmax(in[0], r, u, k)));
    }
  }

  @Override
  public List<Node> vjp(Gradients g, Node y, Node dy) {
    return List.of(g.add(new Grad(k), y.input(0), dy));
  }

  /** Routes {@code dy} to the arg-max piece of each group: {@code (x [r, units·k], dy [r, units]) → [r, units·k]}. */
  public record Grad(int k) implements Op {
    @Override
    public String name() {
      return "maxout_grad";
    }

    @Override
    public String attributes() {
      return "k=" + k;
    }

    @Override
    public int arity() {
      return 2;
    }

    @Override
    public Shape shape(ShapeCheck c) {
      if (!c.in(1).equals(Shape.of(c.in(0).dim(0), c.in(0).dim(1) / k))) c.fail("gradient shape does not match");
      return c.in(0);
    }

    @Override
    public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
      out.fill(0);
      int rows = in[1].shape().dim(0), units = in[1].shape().dim(1), cols = in[0].shape().cols();
      for (int r = 0; r < rows; r++) {
        for (int u = 0; u < units; u++) out.set(r * cols + argmax(in[0], r, u, k), in[1].get(r * units + u));
      }
    }

    @Override
    public List<Node> vjp(Gradients g, Node y, Node dy) {
      throw new UnsupportedOperationException("maxout_grad: second derivatives are not supported");
    }

    /** Routes dy to the first maximum of each group, as the reference does. */
    @Override
    public void lower(Lowering l) {
      int rows = l.inputShape(1).dim(0), units = l.inputShape(1).dim(1), cols = units * k;
      String x = l.input(0), dy = l.input(1), out = l.output();
      l.statement("java.util.Arrays.fill($L, 0, $L, 0f)", out, rows * cols);
      l.begin("for (int r = 0; r < $L; r++)", rows);
      l.begin("for (int u = 0; u < $L; u++)", units);
      l.statement("int best = u * $L", k);
      l.begin("for (int j = 1; j < $L; j++)", k);
      l.begin("if ($L[r * $L + u * $L + j] > $L[r * $L + best])", x, cols, k, x, cols);
      l.statement("best = u * $L + j", k);
      l.end();
      l.end();
      l.statement("$L[r * $L + best] = $L[r * $L + u]", out, cols, dy, units);
      l.end();
      l.end();
    }
  }

  @Override
  public void lower(Lowering l) {
    int rows = l.outputShape().dim(0), units = l.outputShape().dim(1), cols = units * k;
    String in = l.input(0), out = l.output();
    l.begin("for (int r = 0; r < $L; r++)", rows);
    l.begin("for (int u = 0; u < $L; u++)", units);
    l.statement("float best = $L[r * $L + u * $L]", in, cols, k);
    l.begin("for (int j = 1; j < $L; j++)", k);
    l.statement("float v = $L[r * $L + u * $L + j]", in, cols, k);
    l.begin("if (v > best)");
    l.statement("best = v");
    l.end();
    l.end();
    l.statement("$L[r * $L + u] = best", out, units);
    l.end();
    l.end();
  }
}
