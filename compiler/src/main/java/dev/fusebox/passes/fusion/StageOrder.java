package dev.fusebox.passes.fusion;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Stage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Orders the stages of one kernel: after the stages whose values they read, and otherwise stages that
 * compute no update first, so that a variable's old value is read before the stage that writes its new
 * value (which memory planning can then put in place). Ties go to the earliest node.
 */
final class StageOrder {
  private StageOrder() {}

  static List<Stage> order(Graph g, List<Stage> stages) {
    Map<Node, Integer> stageOf = new IdentityHashMap<>();
    for (int s = 0; s < stages.size(); s++) for (Node n : stages.get(s).nodes()) stageOf.put(n, s);
    int[] indegree = new int[stages.size()];
    List<Set<Integer>> next = new ArrayList<>();
    for (int s = 0; s < stages.size(); s++) next.add(new HashSet<>());
    for (int s = 0; s < stages.size(); s++) {
      for (Node n : stages.get(s).nodes()) {
        for (Node in : n.inputs()) {
          Integer from = stageOf.get(in);
          if (from != null && from != s && next.get(from).add(s)) indegree[s]++;
        }
      }
    }
    Collection<Node> updates = g.updates().values();
    Comparator<Integer> priority = Comparator.<Integer, Boolean>comparing(s -> stages.get(s).nodes().stream().anyMatch(updates::contains))
        .thenComparingInt(s -> stages.get(s).nodes().stream().mapToInt(Node::id).min().orElseThrow());
    PriorityQueue<Integer> ready = new PriorityQueue<>(priority);
    for (int s = 0; s < stages.size(); s++) if (indegree[s] == 0) ready.add(s);
    List<Stage> out = new ArrayList<>();
    while (!ready.isEmpty()) {
      int s = ready.poll();
      out.add(stages.get(s));
      for (int t : next.get(s)) if (--indegree[t] == 0) ready.add(t);
    }
    if (out.size() != stages.size()) throw new IllegalStateException("bug in kernel_fusion: the stages of a kernel depend on each other in a cycle");
    return out;
  }
}
