package dev.fusebox.passes.memory;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Shape;
import dev.fusebox.ir.Stage;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.SumTo;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Proves a fusion plan and its memory plan safe to run, independently of how they were made (the
 * graph verifier has already checked that every node is computed once, after its inputs):
 *
 * <ul>
 *   <li>each stage is what code generation can emit: a loop of elementwise nodes of one shape with
 *       column sums of its members; a matmul with elementwise epilogue nodes of its shape, each depending
 *       on it; a single op that is neither;
 *   <li>every value read outside its own stage, every output and update value, every single op's and
 *       column sum's result has an array; values sharing a buffer are never live at the same time;
 *   <li>an update written in place overwrites its variable only after the last read of the old value:
 *       every reader runs in an earlier stage, or in the same stage as an elementwise node of the same
 *       shape (which loads its element before the stage stores it).
 * </ul>
 *
 * Runs on every compilation; a failure is a bug in kernel fusion or memory planning.
 */
public final class PlanVerifier {
  private PlanVerifier() {}

  public static void verify(Graph g, MemoryPlan plan) {
    Schedule schedule = Schedule.of(g);
    for (int s = 0; s < schedule.size(); s++) verifyStage(schedule.stage(s));

    int end = schedule.size();
    int[] lastUse = new int[g.size()];
    Arrays.fill(lastUse, -1);
    for (Node n : g.nodes()) {
      for (Node in : n.inputs()) {
        if (in.op().isSource()) continue;
        lastUse[in.id()] = Math.max(lastUse[in.id()], schedule.stageOf(n));
        if (schedule.stageOf(in) != schedule.stageOf(n)) requireArray(plan, in, "it is read by " + n.describe() + " in another stage");
      }
    }
    for (Node r : g.outputs().values()) {
      if (r.op().isSource()) continue;
      requireArray(plan, r, "it is an output");
      lastUse[r.id()] = end;
    }
    for (Node r : g.updates().values()) {
      if (r.op().isSource()) continue;
      requireArray(plan, r, "it is an update's new value");
      lastUse[r.id()] = end;
    }
    for (int s = 0; s < end; s++) {
      Stage stage = schedule.stage(s);
      if (stage instanceof Stage.Single x) requireArray(plan, x.node(), "a single op computes into an array");
      if (stage instanceof Stage.Loop l) for (Node sum : l.columnSums()) requireArray(plan, sum, "column sums accumulate in an array");
    }

    for (int b = 0; b < plan.buffers().size(); b++) {
      List<Node> values = plan.buffers().get(b).values();
      for (int i = 0; i < values.size(); i++) {
        Node a = values.get(i);
        if (a.shape().size() > plan.buffers().get(b).capacity()) fail(a, "does not fit buffer " + b);
        for (int j = i + 1; j < values.size(); j++) {
          Node c = values.get(j);
          int aFrom = schedule.stageOf(a), aTo = Math.max(aFrom, lastUse[a.id()]);
          int cFrom = schedule.stageOf(c), cTo = Math.max(cFrom, lastUse[c.id()]);
          if (aFrom <= cTo && cFrom <= aTo) fail(c, "shares buffer " + b + " with '" + a.name() + "' while both are live");
        }
      }
    }

    Map<Node, List<Node>> users = g.users();
    for (Map.Entry<Node, Node> e : plan.inPlace().entrySet()) {
      Node value = e.getKey(), variable = e.getValue();
      if (g.updates().get(variable) != value) fail(value, "is written into '" + variable.name() + "' but is not its update");
      if (plan.bufferOf().containsKey(value)) fail(value, "is both in place and in a buffer");
      if (!schedule.isElementwiseMember(value)) fail(value, "is written in place but not element by element");
      if (g.updates().containsValue(variable)) fail(value, "overwrites '" + variable.name() + "', whose old value is another variable's update");
      for (Node reader : users.get(variable)) {
        if (!MemoryPlanner.readsBeforeWrite(schedule, reader, value)) {
          fail(value, "overwrites '" + variable.name() + "' in place before " + reader.describe() + " reads its old value");
        }
      }
    }
  }

  private static void verifyStage(Stage stage) {
    if (stage instanceof Stage.Loop l) {
      Shape space = l.space();
      for (Node n : l.members()) {
        if (!(n.op() instanceof Elementwise) || !n.shape().equals(space)) fail(n, "is in " + l.text() + " but is not elementwise over " + space);
      }
      for (Node sum : l.columnSums()) {
        boolean columns = sum.op() instanceof SumTo && l.members().contains(sum.input(0)) && space.rank() == 2
            && sum.shape().rank() == 1 && sum.shape().size() == space.cols();
        if (!columns) fail(sum, "is in " + l.text() + " but is not the column sums of one of its members");
      }
    } else if (stage instanceof Stage.Matmul m) {
      if (!(m.matmul().op() instanceof MatMul)) fail(m.matmul(), "heads " + m.text() + " but is not a matmul");
      Set<Node> reached = Collections.newSetFromMap(new IdentityHashMap<>());
      reached.add(m.matmul());
      for (Node n : m.epilogue()) {
        if (!(n.op() instanceof Elementwise) || !n.shape().equals(m.matmul().shape())) {
          fail(n, "is in the epilogue of " + m.text() + " but is not elementwise over " + m.matmul().shape());
        }
        if (n.inputs().stream().noneMatch(reached::contains)) fail(n, "is in the epilogue of " + m.text() + " but does not depend on it");
        reached.add(n);
      }
    } else if (stage instanceof Stage.Single x) {
      if (x.node().op() instanceof Elementwise || x.node().op() instanceof MatMul) fail(x.node(), "is a single op but has no lowering of its own");
    }
  }

  private static void requireArray(MemoryPlan plan, Node n, String why) {
    if (!plan.bufferOf().containsKey(n) && !plan.inPlace().containsKey(n)) fail(n, "has no array, but " + why);
  }

  private static void fail(Node n, String what) {
    throw new IllegalStateException("bug in kernel_fusion or memory planning: " + n.describe() + " " + what);
  }
}
