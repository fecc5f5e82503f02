package dev.fusebox.passes.fusion;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * Orders kernels for execution: a topological order of the kernel graph, breaking ties by the
 * earliest member, so the same graph always gives the same schedule.
 */
final class KernelOrder {
  private KernelOrder() {}

  static List<Kernel> order(Graph g, List<Kernel> kernels) {
    int n = kernels.size();
    int[] kernelOf = new int[g.size()];
    Arrays.fill(kernelOf, -1);
    int[] first = new int[n];
    for (int k = 0; k < n; k++) {
      first[k] = Integer.MAX_VALUE;
      for (Node m : kernels.get(k).nodes()) {
        kernelOf[m.id()] = k;
        first[k] = Math.min(first[k], m.id());
      }
    }
    List<List<Integer>> next = new ArrayList<>();
    int[] indegree = new int[n];
    for (int k = 0; k < n; k++) next.add(new ArrayList<>());
    for (int k = 0; k < n; k++) {
      TreeSet<Integer> preds = new TreeSet<>();
      for (Node m : kernels.get(k).nodes()) for (Node in : m.inputs()) if (kernelOf[in.id()] >= 0 && kernelOf[in.id()] != k) preds.add(kernelOf[in.id()]);
      for (int p : preds) {
        next.get(p).add(k);
        indegree[k]++;
      }
    }
    PriorityQueue<Integer> ready = new PriorityQueue<>(Comparator.comparingInt(k -> first[k]));
    for (int k = 0; k < n; k++) if (indegree[k] == 0) ready.add(k);
    List<Kernel> out = new ArrayList<>();
    while (!ready.isEmpty()) {
      int k = ready.poll();
      out.add(kernels.get(k));
      for (int s : next.get(k)) if (--indegree[s] == 0) ready.add(s);
    }
    if (out.size() != n) throw new IllegalStateException("bug in kernel_fusion: the kernel graph has a cycle");
    return out;
  }
}
