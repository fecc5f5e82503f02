package dev.fusebox.passes.memory;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.Elementwise;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans buffers for a fused graph (an analysis: the graph is not changed).
 *
 * <ol>
 *   <li>Stored values: a computed node read by another kernel, an output, or an update value.
 *   <li>Liveness: a stored value lives from its kernel to the last kernel that reads it (to the end of
 *       the step for outputs and update values). Kernels run in plan order.
 *   <li>In place: an update value is written into its variable's storage when nothing reads the
 *       variable's old value after that kernel, and inside it only elementwise ops of the same shape
 *       read it (each element is read before it is written) or ops that do not lead to the new value.
 *   <li>Reuse: walking the schedule, each stored value takes the smallest free buffer that fits (a
 *       buffer is free once every value in it is dead), else a new one. A kernel's inputs are still live
 *       while it runs, so no kernel writes a buffer it reads.
 * </ol>
 */
public final class MemoryPlanner {
  private MemoryPlanner() {}

  public static MemoryPlan plan(Graph g) {
    List<Kernel> kernels = g.kernels();
    if (kernels.isEmpty()) throw new IllegalArgumentException("memory planning needs a fused graph (run kernel_fusion first)");
    int[] kernelOf = new int[g.size()];
    java.util.Arrays.fill(kernelOf, -1);
    for (int k = 0; k < kernels.size(); k++) for (Node n : kernels.get(k).nodes()) kernelOf[n.id()] = k;
    int end = kernels.size();

    Set<Node> roots = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    roots.addAll(g.outputs().values());
    roots.addAll(g.updates().values());
    int[] lastUse = new int[g.size()];
    java.util.Arrays.fill(lastUse, -1);
    boolean[] stored = new boolean[g.size()];
    for (Node n : g.nodes()) {
      for (Node in : n.inputs()) {
        lastUse[in.id()] = Math.max(lastUse[in.id()], kernelOf[n.id()]);
        if (!in.op().isSource() && kernelOf[in.id()] != kernelOf[n.id()]) stored[in.id()] = true;
      }
    }
    for (Node r : roots) if (!r.op().isSource()) stored[r.id()] = true;

    Map<Node, Node> inPlace = inPlaceUpdates(g, kernelOf, lastUse);
    List<Node> registers = new ArrayList<>();
    int unplanned = 0;
    long unplannedBytes = 0;
    for (Node n : g.nodes()) {
      if (n.op().isSource()) continue;
      unplanned++;
      unplannedBytes += 4L * n.shape().size();
      if (!stored[n.id()]) registers.add(n);
    }

    List<MemoryPlan.Slot> slots = new ArrayList<>();
    List<Integer> slotFreeAt = new ArrayList<>(); // first kernel index at which the slot is free again
    Map<Node, Integer> bufferOf = new LinkedHashMap<>();
    for (int k = 0; k < kernels.size(); k++) {
      for (Node n : kernels.get(k).nodes()) {
        if (!stored[n.id()] || inPlace.containsKey(n)) continue;
        int dies = roots.contains(n) ? end + 1 : lastUse[n.id()] + 1;
        int best = -1;
        for (int s = 0; s < slots.size(); s++) {
          if (slotFreeAt.get(s) <= k && slots.get(s).capacity() >= n.shape().size()
              && (best < 0 || slots.get(s).capacity() < slots.get(best).capacity())) {
            best = s;
          }
        }
        if (best < 0) {
          slots.add(new MemoryPlan.Slot(n.shape().size(), new ArrayList<>()));
          slotFreeAt.add(0);
          best = slots.size() - 1;
        }
        slots.get(best).values().add(n);
        slotFreeAt.set(best, Math.max(dies, k + 1));
        bufferOf.put(n, best);
      }
    }
    return new MemoryPlan(slots, bufferOf, inPlace, registers, unplanned, unplannedBytes);
  }

  private static Map<Node, Node> inPlaceUpdates(Graph g, int[] kernelOf, int[] lastUse) {
    Map<Node, Node> inPlace = new LinkedHashMap<>();
    Set<Node> outputs = new HashSet<>(g.outputs().values());
    for (Map.Entry<Node, Node> u : g.updates().entrySet()) {
      Node variable = u.getKey(), value = u.getValue();
      if (value.op().isSource() || outputs.contains(value) || !value.shape().equals(variable.shape())) continue;
      int k = kernelOf[value.id()];
      if (lastUse[variable.id()] > k) continue; // the old value is read by a later kernel
      boolean safe = true;
      Set<Node> leadsToValue = ancestorsWithin(g, value, kernelOf, k);
      for (Node reader : g.nodes()) {
        if (kernelOf[reader.id()] != k || !reader.inputs().contains(variable)) continue;
        boolean sameIndex = reader.op() instanceof Elementwise && reader.shape().equals(variable.shape());
        safe &= sameIndex || !leadsToValue.contains(reader);
      }
      if (safe) inPlace.put(value, variable);
    }
    return inPlace;
  }

  /** {@code value} and the members of kernel k it depends on. */
  private static Set<Node> ancestorsWithin(Graph g, Node value, int[] kernelOf, int k) {
    Set<Node> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<Node> stack = new ArrayList<>(List.of(value));
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      if (kernelOf[n.id()] != k || !seen.add(n)) continue;
      stack.addAll(n.inputs());
    }
    return seen;
  }
}
