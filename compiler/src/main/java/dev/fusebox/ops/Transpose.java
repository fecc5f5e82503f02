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

/** Matrix transpose. */
public record Transpose() implements Op {

  @Override
  public String name() {
    return "transpose";
  }

  @Override
  public int arity() {
    return 1;
  }

  @Override
  public int batchAxes(Shape out, List<Node> inputs, int[] inputAxes) {
    return (BatchAxes.rows(inputAxes[0]) ? BatchAxes.COLS : 0) | (BatchAxes.cols(inputAxes[0]) ? BatchAxes.ROWS : 0);
  }

  @Override
  public Shape shape(ShapeCheck c) {
    c.requireFloat(0, "operand");
    c.requireMatrix(0, "operand");
    return Shape.of(c.in(0).dim(1), c.in(0).dim(0));
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    int r = in[0].shape().dim(0), cols = in[0].shape().dim(1);
    for (int i = 0; i < r; i++) for (int j = 0; j < cols; j++) out.set(j * r + i, in[0].get(i * cols + j));
  }

  @Override
  public List<Node> vjp(Gradients g, Node y, Node dy) {
    return List.of(g.add(new Transpose(), dy));
  }

  @Override
  public void lower(Lowering l) {
    int r = l.inputShape(0).dim(0), c = l.inputShape(0).dim(1);
    l.begin("for (int i = 0; i < $L; i++)", r);
    l.begin("for (int j = 0; j < $L; j++)", c);
    l.statement("$L[j * $L + i] = $L[i * $L + j]", l.output(), r, l.input(0), c);
    l.end();
    l.end();
  }
}
