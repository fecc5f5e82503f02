package dev.fusebox.passes.simplify;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.passes.Pass;
import dev.fusebox.passes.PassContext;
import dev.fusebox.passes.Rewriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges nodes that apply equal pure ops to the same inputs: the first one stands for all. Impure
 * nodes (inputs, variables, dropout masks) are never merged.
 */
public final class CommonSubexpressionElimination implements Pass {

  private record Key(Op op, List<Node> inputs) {
    // Node equality is identity; op equality is value equality.
  }

  @Override
  public String name() {
    return "cse";
  }

  @Override
  public Graph apply(Graph g, PassContext ctx) {
    Map<Key, Node> seen = new HashMap<>();
    return Rewriter.rewrite(g, (n, inputs, r) -> {
      if (!n.op().isPure()) return r.keep(n, inputs);
      Key key = new Key(n.op(), inputs);
      Node first = seen.get(key);
      if (first != null) {
        ctx.decide(name(), "'" + n.name() + "' is '" + first.name() + "'");
        return first;
      }
      Node kept = r.keep(n, inputs);
      seen.put(new Key(n.op(), kept.inputs()), kept);
      return kept;
    });
  }
}
