package dev.fusebox.passes.simplify;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Shape;
import dev.fusebox.ops.BroadcastTo;
import dev.fusebox.ops.Constant;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.SumTo;
import dev.fusebox.ops.Transpose;
import dev.fusebox.ops.alu.Alu;
import dev.fusebox.ops.alu.Expr;
import dev.fusebox.ops.alu.Simplify;
import dev.fusebox.passes.Pass;
import dev.fusebox.passes.PassContext;
import dev.fusebox.passes.Rewriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Algebraic identities:
 *
 * <ul>
 *   <li>elementwise ops: scalar constant operands move into the body, repeated operands merge, and the
 *       body is simplified ({@link Simplify}: x·1, x+0, −(−x), ...); a body that is just one operand of
 *       the output's shape is that operand;
 *   <li>transpose(transpose(x)) = x; matmul of a transpose flips the operand's flag instead;
 *   <li>broadcasting or summing a tensor to its own shape is the tensor.
 * </ul>
 *
 * Rewritten elementwise ops keep their name but lose their gradient rule, so this pass runs on
 * training graphs, after autodiff.
 */
public final class AlgebraicSimplification implements Pass {

  @Override
  public String name() {
    return "algebraic_simplification";
  }

  @Override
  public Graph apply(Graph g, PassContext ctx) {
    return Rewriter.rewrite(g, (n, inputs, r) -> {
      if (n.op() instanceof Transpose && inputs.get(0).op() instanceof Transpose) {
        ctx.decide(name(), "'" + n.name() + "': transpose of a transpose");
        return inputs.get(0).input(0);
      }
      if ((n.op() instanceof BroadcastTo || n.op() instanceof SumTo) && inputs.get(0).shape().equals(n.shape())) {
        ctx.decide(name(), "'" + n.name() + "': " + n.op().name() + " to its own shape");
        return inputs.get(0);
      }
      if (n.op() instanceof MatMul m && (inputs.get(0).op() instanceof Transpose || inputs.get(1).op() instanceof Transpose)) {
        boolean ta = inputs.get(0).op() instanceof Transpose, tb = inputs.get(1).op() instanceof Transpose;
        Node a = ta ? inputs.get(0).input(0) : inputs.get(0), b = tb ? inputs.get(1).input(0) : inputs.get(1);
        ctx.decide(name(), "'" + n.name() + "': transpose folded into matmul flags");
        return r.replaceOp(n, new MatMul(m.transA() ^ ta, m.transB() ^ tb), List.of(a, b));
      }
      if (n.op() instanceof Elementwise e) return elementwise(n, e, inputs, r, ctx);
      return r.keep(n, inputs);
    });
  }

  private Node elementwise(Node n, Elementwise e, List<Node> inputs, Rewriter r, PassContext ctx) {
    List<Node> kept = new ArrayList<>();
    Expr[] replace = new Expr[inputs.size()];
    for (int i = 0; i < inputs.size(); i++) {
      Node in = inputs.get(i);
      int same = kept.indexOf(in);
      // A scalar constant can become a literal if the other operands alone still give the output's shape.
      if (in.op() instanceof Constant c && in.shape().size() == 1 && others(inputs, i).equals(n.shape())) {
        replace[i] = Expr.c(c.value(0));
      } else if (same >= 0) {
        replace[i] = Expr.x(same);
      } else {
        replace[i] = Expr.x(kept.size());
        kept.add(in);
      }
    }
    Expr body = Simplify.simplify(e.expr().substitute(replace));
    if (body.op() == Alu.INPUT && kept.get(body.index()).shape().equals(n.shape())) {
      ctx.decide(name(), "'" + n.name() + "' is its operand '" + kept.get(body.index()).name() + "'");
      return kept.get(body.index());
    }
    if (kept.size() == inputs.size() && body.equals(e.expr())) return r.keep(n, inputs);
    if (kept.isEmpty()) return r.keep(n, inputs); // all-constant: constant folding's job
    ctx.decide(name(), "'" + n.name() + "' simplified to " + body);
    return r.replaceOp(n, Elementwise.plain(e.name(), kept.size(), body), kept);
  }

  /** Broadcast shape of all inputs but {@code skip}. */
  private static Shape others(List<Node> inputs, int skip) {
    Shape s = Shape.scalar();
    for (int i = 0; i < inputs.size(); i++) if (i != skip) s = Shape.broadcast(s, inputs.get(i).shape());
    return s;
  }
}
