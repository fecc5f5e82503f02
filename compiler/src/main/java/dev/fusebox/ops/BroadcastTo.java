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

/** Repeats the input NumPy-style to {@code target}; the gradient sums back ({@link SumTo}). */
public record BroadcastTo(Shape target) implements Op {

  @Override
  public String name() {
    return "broadcast";
  }

  @Override
  public String attributes() {
    return "to=" + target;
  }

  @Override
  public int arity() {
    return 1;
  }

  @Override
  public int batchAxes(Shape out, List<Node> inputs, int[] inputAxes) {
    return BatchAxes.broadcast(out, inputs, inputAxes);
  }

  @Override
  public Shape shape(ShapeCheck c) {
    c.requireFloat(0, "operand");
    if (!c.in(0).broadcastsTo(target)) c.fail("%s does not broadcast to %s", c.in(0), target);
    return target;
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    int rows = target.rows(), cols = target.cols();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) out.set(r * cols + c, in[0].get(Elementwise.broadcastIndex(in[0].shape(), r, c)));
    }
  }

  @Override
  public List<Node> vjp(Gradients g, Node y, Node dy) {
    return List.of(g.add(new SumTo(y.input(0).shape()), dy));
  }

  @Override
  public void lower(Lowering l) {
    Shape in = l.inputShape(0);
    l.begin("for (int r = 0; r < $L; r++)", target.rows());
    l.begin("for (int c = 0; c < $L; c++)", target.cols());
    l.statement("$L[r * $L + c] = $L[$L]", l.output(), target.cols(), l.input(0), Lowerings.index(in, "r", "c"));
    l.end();
    l.end();
  }
}
