package dev.fusebox.passes.fusion;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Orders kernels for execution: a topological order of the kernel graph, breaking ties by the
 * earliest member, so the same graph always gives the same schedule.
 */
final class KernelOrder {
  private KernelOrder() {}

  static List<Kernel> order(Graph g, List<List<Node>> allMembers, List<Kernel.Kind> allKinds, int[] oldGroup) {
    // Kernels emptied by merging are dropped; renumber the rest.
    List<List<Node>> members = new ArrayList<>();
    List<Kernel.Kind> kinds = new ArrayList<>();
    int[] group = new int[g.size()];
    java.util.Arrays.fill(group, -1);
    for (int k = 0; k < allMembers.size(); k++) {
      if (allMembers.get(k).isEmpty()) continue;
      for (Node m : allMembers.get(k)) group[m.id()] = members.size();
      members.add(allMembers.get(k));
      kinds.add(allKinds.get(k));
    }
    int n = members.size();
    List<List<Integer>> next = new ArrayList<>();
    int[] indegree = new int[n];
    for (int k = 0; k < n; k++) next.add(new ArrayList<>());
    for (int k = 0; k < n; k++) {
      java.util.Set<Integer> preds = new java.util.TreeSet<>();
      for (Node m : members.get(k)) for (Node in : m.inputs()) if (group[in.id()] >= 0 && group[in.id()] != k) preds.add(group[in.id()]);
      for (int p : preds) {
        next.get(p).add(k);
        indegree[k]++;
      }
    }
    int[] first = new int[n];
    for (int k = 0; k < n; k++) {
      members.get(k).sort(Comparator.comparingInt(Node::id));
      first[k] = members.get(k).get(0).id();
    }
    PriorityQueue<Integer> ready = new PriorityQueue<>(Comparator.comparingInt(k -> first[k]));
    for (int k = 0; k < n; k++) if (indegree[k] == 0) ready.add(k);
    List<Kernel> out = new ArrayList<>();
    while (!ready.isEmpty()) {
      int k = ready.poll();
      out.add(new Kernel(kinds.get(k), members.get(k)));
      for (int s : next.get(k)) if (--indegree[s] == 0) ready.add(s);
    }
    if (out.size() != n) throw new IllegalStateException("bug in kernel_fusion: the kernel graph has a cycle");
    return out;
  }
}
