package dev.fusebox.passes.simplify;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.passes.Pass;
import dev.fusebox.passes.PassContext;
import dev.fusebox.passes.Rewriter;

/**
 * Removes nodes that no output or update needs. Graph inputs and variables stay even if unused: they
 * are the program's interface (its inputs to set and the state it saves and loads).
 */
public final class DeadNodeElimination implements Pass {

  @Override
  public String name() {
    return "dead_node_elimination";
  }

  @Override
  public Graph apply(Graph g, PassContext ctx) {
    boolean[] live = new boolean[g.size()];
    for (Node n : g.outputs().values()) live[n.id()] = true;
    g.updates().forEach((variable, value) -> {
      live[variable.id()] = true;
      live[value.id()] = true;
    });
    for (Node n : g.nodes()) if (n.op().isGraphInput() || n.op().isVariable()) live[n.id()] = true;
    for (int i = g.size() - 1; i >= 0; i--) {
      if (live[i]) for (Node in : g.nodes().get(i).inputs()) live[in.id()] = true;
    }
    return Rewriter.rewrite(g, (n, inputs, r) -> live[n.id()] ? r.keep(n, inputs) : null);
  }
}
