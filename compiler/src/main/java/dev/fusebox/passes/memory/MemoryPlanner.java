package dev.fusebox.passes.memory;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans buffers for a fused graph (an analysis: the graph is not changed). The unit of time is the
 * stage: kernels run in plan order and each kernel's stages in their order ({@link Schedule}).
 *
 * <ol>
 *   <li>Stored values: a value read by another stage (of this kernel or another), an output or an
 *       update's new value, and every value an op computes into an array (single ops, column sums).
 *       Everything else stays in registers: a loop's locals, a matmul's tile.
 *   <li>Liveness: a stored value lives from its stage to the last stage that reads it (to the end of
 *       the step for outputs and update values).
 *   <li>In place: an update's new value is written into its variable's storage when it is computed by a
 *       loop or a matmul epilogue, and every read of the variable's old value is either in an earlier
 *       stage or in that same stage by an elementwise node of the same shape (each element is loaded
 *       before it is stored), and no other variable takes the old value as its new one.
 *   <li>Reuse: walking the stages, each stored value takes the smallest free buffer that fits (a buffer
 *       is free once every value in it is dead), else a new one. A stage's inputs are still live while it
 *       runs, so no stage writes a buffer it reads.
 * </ol>
 *
 * {@link PlanVerifier} checks the result independently.
 */
public final class MemoryPlanner {
  private MemoryPlanner() {}

  public static MemoryPlan plan(Graph g) {
    Schedule schedule = Schedule.of(g);
    int end = schedule.size();
    Set<Node> roots = Collections.newSetFromMap(new IdentityHashMap<>());
    roots.addAll(g.outputs().values());
    roots.addAll(g.updates().values());

    int[] lastUse = new int[g.size()];
    Arrays.fill(lastUse, -1);
    boolean[] stored = new boolean[g.size()];
    for (Node n : g.nodes()) {
      if (n.op().isSource()) continue;
      int s = schedule.stageOf(n);
      for (Node in : n.inputs()) {
        lastUse[in.id()] = Math.max(lastUse[in.id()], s);
        if (!in.op().isSource() && schedule.stageOf(in) != s) stored[in.id()] = true;
      }
      if (roots.contains(n) || !schedule.inRegisterStage(n)) stored[n.id()] = true;
    }
    for (Node r : roots) if (!r.op().isSource()) lastUse[r.id()] = end;

    Map<Node, Node> inPlace = inPlaceUpdates(g, schedule);
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
    List<Integer> slotFreeAt = new ArrayList<>(); // first stage at which the slot is free again
    Map<Node, Integer> bufferOf = new LinkedHashMap<>();
    for (int s = 0; s < end; s++) {
      for (Node n : schedule.stage(s).nodes()) {
        if (!stored[n.id()] || inPlace.containsKey(n)) continue;
        int dies = Math.max(lastUse[n.id()], s) + 1;
        int best = -1;
        for (int b = 0; b < slots.size(); b++) {
          if (slotFreeAt.get(b) <= s && slots.get(b).capacity() >= n.shape().size()
              && (best < 0 || slots.get(b).capacity() < slots.get(best).capacity())) {
            best = b;
          }
        }
        if (best < 0) {
          slots.add(new MemoryPlan.Slot(n.shape().size(), new ArrayList<>()));
          slotFreeAt.add(0);
          best = slots.size() - 1;
        }
        slots.get(best).values().add(n);
        slotFreeAt.set(best, dies);
        bufferOf.put(n, best);
      }
    }
    MemoryPlan plan = new MemoryPlan(slots, bufferOf, inPlace, registers, unplanned, unplannedBytes);
    PlanVerifier.verify(g, plan);
    return plan;
  }

  private static Map<Node, Node> inPlaceUpdates(Graph g, Schedule schedule) {
    Map<Node, Node> inPlace = new LinkedHashMap<>();
    Set<Node> outputs = new HashSet<>(g.outputs().values());
    Map<Node, List<Node>> users = g.users();
    for (Map.Entry<Node, Node> u : g.updates().entrySet()) {
      Node variable = u.getKey(), value = u.getValue();
      if (value.op().isSource() || outputs.contains(value) || !schedule.isElementwiseMember(value)) continue;
      if (g.updates().containsValue(variable)) continue; // another variable's new value is this one's old value
      if (users.get(variable).stream().allMatch(reader -> readsBeforeWrite(schedule, reader, value))) inPlace.put(value, variable);
    }
    return inPlace;
  }

  /**
   * Whether {@code reader} has read its input, the variable that {@code value} overwrites, when that
   * value is stored: in an earlier stage, or in the same stage at the same element (both elementwise
   * members of one loop or epilogue, whose elements are all loaded before any is stored).
   */
  static boolean readsBeforeWrite(Schedule schedule, Node reader, Node value) {
    int r = schedule.stageOf(reader), w = schedule.stageOf(value);
    return r < w || r == w && schedule.isElementwiseMember(reader) && reader.shape().equals(value.shape());
  }
}
