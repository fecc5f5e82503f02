package dev.fusebox.ops;

import dev.fusebox.ir.Gradients;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.ir.ShapeCheck;
import java.util.List;

/** An op without inputs whose shape it carries: inputs, variables, constants, dropout masks. */
interface SourceOp extends Op {

  /** The shape of the value. */
  Shape shape();

  @Override
  default int arity() {
    return 0;
  }

  @Override
  default Shape shape(ShapeCheck c) {
    return shape();
  }

  @Override
  default List<Node> vjp(Gradients g, Node y, Node dy) {
    return List.of();
  }
}
