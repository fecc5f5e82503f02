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
 * Sums a tensor down to {@code target}, a shape that broadcasts to the input's: the gradient of a
 * broadcast. A bias gradient is {@code sum_to[[n]]} of a {@code [batch, n]} gradient: its column sums.
 */
public record SumTo(Shape target) implements Op {

  @Override
  public String name() {
    return "sum_to";
  }

  @Override
  public String attributes() {
    return "to=" + target;
  }

  @Override
  public int arity() {
    return 1;
  }

  /** An axis the sum keeps whole keeps its batch. */
  @Override
  public int batchAxes(Shape out, List<Node> inputs, int[] inputAxes) {
    return BatchAxes.broadcast(out, inputs, inputAxes);
  }

  @Override
  public Shape shape(ShapeCheck c) {
    c.requireFloat(0, "operand");
    if (!target.broadcastsTo(c.in(0))) c.fail("%s cannot be summed down to %s", c.in(0), target);
    return target;
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    Shape s = in[0].shape();
    double[] acc = new double[target.size()];
    for (int r = 0; r < s.rows(); r++) {
      for (int c = 0; c < s.cols(); c++) acc[Elementwise.broadcastIndex(target, r, c)] += in[0].get(r * s.cols() + c);
    }
    for (int i = 0; i < acc.length; i++) out.set(i, acc[i]);
  }

  @Override
  public List<Node> vjp(Gradients g, Node y, Node dy) {
    return List.of(g.add(new BroadcastTo(y.input(0).shape()), dy));
  }

  @Override
  public void lower(Lowering l) {
    Shape in = l.inputShape(0);
    l.statement("java.util.Arrays.fill($L, 0, $L, 0f)", l.output(), target.size());
    l.begin("for (int r = 0; r < $L; r++)", in.rows());
    l.begin("for (int c = 0; c < $L; c++)", in.cols());
    l.statement("$L[$L] += $L[r * $L + c]", l.output(), Lowerings.index(target, "r", "c"), l.input(0), in.cols());
    l.end();
    l.end();
  }
}
