package dev.fusebox.passes.fusion;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.BinaryCrossEntropy;
import dev.fusebox.ops.CrossEntropy;
import dev.fusebox.ops.Softmax;
import dev.fusebox.ops.SoftmaxCrossEntropy;
import dev.fusebox.passes.Pass;
import dev.fusebox.passes.PassContext;
import dev.fusebox.passes.Rewriter;
import java.util.List;

/**
 * Fuses a loss with the activation it is applied to, on the forward graph (before autodiff, so that
 * the gradient is the fused loss's own):
 *
 * <ul>
 *   <li>{@code cross_entropy(softmax(z), y)} becomes {@code softmax_cross_entropy(z, y)}, whose
 *       gradient is {@code (p − y)/n} and which is exact for logits of any size;
 *   <li>{@code bce(sigmoid(z), y)} becomes {@code bce_with_logits(z, y)}, gradient {@code (σ(z) − y)/n}.
 * </ul>
 *
 * The softmax or sigmoid stays if anything else uses it (a prediction output, say).
 */
public final class LossFusion implements Pass {

  @Override
  public String name() {
    return "loss_fusion";
  }

  @Override
  public Graph apply(Graph g, PassContext ctx) {
    return Rewriter.rewrite(g, (n, inputs, r) -> {
      if (inputs.size() != 2) return r.keep(n, inputs);
      Node p = inputs.get(0);
      if (n.op() instanceof CrossEntropy && p.op() instanceof Softmax s && !s.log()) {
        ctx.decide(name(), "fused: '" + n.name() + "' = cross_entropy(softmax('" + p.input(0).name() + "')) -> softmax_cross_entropy");
        return r.replaceOp(n, new SoftmaxCrossEntropy(), List.of(p.input(0), inputs.get(1)));
      }
      if (n.op() instanceof BinaryCrossEntropy b && !b.logits() && p.op().name().equals("sigmoid")) {
        ctx.decide(name(), "fused: '" + n.name() + "' = bce(sigmoid('" + p.input(0).name() + "')) -> bce_with_logits");
        return r.replaceOp(n, new BinaryCrossEntropy(true), List.of(p.input(0), inputs.get(1)));
      }
      return r.keep(n, inputs);
    });
  }
}
