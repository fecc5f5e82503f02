package dev.fusebox.codegen;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import java.util.ArrayList;
import java.util.List;

/** Which nodes a forward (inference) run computes: what the outputs need, without the backward pass. */
final class Schedules {
  private Schedules() {}

  static List<Node> forwardNodes(Graph g) {
    boolean[] backward = new boolean[g.size()];
    for (Node n : g.nodes()) {
      backward[n.id()] = n.gradOf() != null || n.inputs().stream().anyMatch(in -> backward[in.id()]);
    }
    boolean[] need = new boolean[g.size()];
    for (Node out : g.outputs().values()) if (!backward[out.id()]) need[out.id()] = true;
    for (int i = g.size() - 1; i >= 0; i--) if (need[i]) for (Node in : g.nodes().get(i).inputs()) need[in.id()] = true;
    List<Node> out = new ArrayList<>();
    for (Node n : g.nodes()) if (need[n.id()] && !n.op().isSource()) out.add(n);
    return out;
  }
}
