package dev.fusebox.passes.simplify;

import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.DType;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Constant;
import dev.fusebox.passes.Pass;
import dev.fusebox.passes.PassContext;
import dev.fusebox.passes.Rewriter;
import java.util.List;

/**
 * Evaluates pure nodes whose inputs are all constants, with the op's own reference semantics in
 * double precision, and replaces them by constants. Results larger than {@value #MAX_ELEMENTS}
 * elements are left to run time (a broadcast constant is cheaper to compute than to store), as are
 * ops that read the valid-row count and results that are not finite.
 */
public final class ConstantFolding implements Pass {
  static final int MAX_ELEMENTS = 1024;

  @Override
  public String name() {
    return "constant_folding";
  }

  @Override
  public Graph apply(Graph g, PassContext ctx) {
    return Rewriter.rewrite(g, (n, inputs, r) -> {
      if (!foldable(n, inputs)) return r.keep(n, inputs);
      Buffer[] in = new Buffer[inputs.size()];
      for (int i = 0; i < in.length; i++) {
        in[i] = Buffer.allocate(inputs.get(i).shape(), DType.F32, true);
        in[i].copyFrom(((Constant) inputs.get(i).op()).values());
      }
      Buffer out = Buffer.allocate(n.shape(), DType.F32, true);
      n.op().eval(in, out, new EvalContext(1));
      double[] values = out.toDoubles();
      for (double v : values) if (!Double.isFinite(v)) return r.keep(n, inputs);
      ctx.decide(name(), "'" + n.name() + "' is constant");
      return r.replaceOp(n, new Constant(n.shape(), values), List.of());
    });
  }

  private static boolean foldable(Node n, List<Node> inputs) {
    if (!n.op().isPure() || n.op().readsValidRows() || inputs.isEmpty() || n.shape().size() > MAX_ELEMENTS) return false;
    if (n.dtype() != DType.F32) return false;
    for (Node in : inputs) if (!(in.op() instanceof Constant)) return false;
    return true;
  }
}
