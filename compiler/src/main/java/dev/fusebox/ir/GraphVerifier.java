package dev.fusebox.ir;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a graph's invariants: ids equal positions; every input is defined earlier in the same graph
 * (so the graph is acyclic and topologically ordered); arity, shapes and element types agree with
 * each op's rules; names are unique; outputs and updates refer to nodes of the graph and updates to
 * variables of the same shape. Never changes the graph. A violation here is a bug in whatever built
 * the graph, so it is reported as an {@link IllegalStateException}.
 */
public final class GraphVerifier {
  private GraphVerifier() {}

  public static void verify(Graph g) {
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<String> names = new HashSet<>();
    for (int i = 0; i < g.nodes().size(); i++) {
      Node n = g.nodes().get(i);
      if (n.id() != i) fail(n, "has id " + n.id() + " at position " + i);
      if (!names.add(n.name())) fail(n, "reuses the name '" + n.name() + "'");
      if (n.inputs().size() != n.op().arity()) {
        fail(n, "has " + n.inputs().size() + " inputs, its op takes " + n.op().arity());
      }
      for (Node in : n.inputs()) {
        if (!seen.contains(in)) {
          fail(n, "uses '" + in.name() + "' which is not defined before it in this graph (cycle or foreign node)");
        }
      }
      Shape expected;
      try {
        expected = n.op().shape(new ShapeCheck(n.op(), n.inputs(), n.name(), n.site()));
      } catch (GraphException e) {
        throw new IllegalStateException("graph invariant broken: " + e.getMessage(), e);
      }
      if (!expected.equals(n.shape())) fail(n, "has shape " + n.shape() + " but its op gives " + expected);
      if (n.dtype() != n.op().dtype()) fail(n, "has type " + n.dtype() + " but its op gives " + n.op().dtype());
      seen.add(n);
    }
    for (Map.Entry<String, Node> e : g.outputs().entrySet()) {
      if (!seen.contains(e.getValue())) {
        throw new IllegalStateException("graph invariant broken: output '" + e.getKey() + "' is not a node of the graph");
      }
    }
    verifyKernels(g, seen);
    for (Map.Entry<Node, Node> e : g.updates().entrySet()) {
      Node v = e.getKey();
      if (!seen.contains(v) || !seen.contains(e.getValue())) fail(v, "has an update outside the graph");
      if (!v.op().isVariable()) fail(v, "is updated but is not a variable");
      if (!v.shape().equals(e.getValue().shape())) fail(v, "is updated with a value of shape " + e.getValue().shape());
    }
  }

  /**
   * Kernels are disjoint, hold nodes of the graph and cover every computing node once a plan exists,
   * and they run in order: each node's inputs are sources or computed before it, in an earlier stage
   * or earlier in its own stage. (This also makes every kernel convex and the kernel graph acyclic.)
   */
  private static void verifyKernels(Graph g, Set<Node> inGraph) {
    if (g.kernels().isEmpty()) return;
    int[] stageOf = new int[g.size()], position = new int[g.size()];
    Arrays.fill(stageOf, -1);
    int stage = 0;
    for (int k = 0; k < g.kernels().size(); k++) {
      for (Stage s : g.kernels().get(k).stages()) {
        List<Node> nodes = s.nodes();
        for (int i = 0; i < nodes.size(); i++) {
          Node n = nodes.get(i);
          if (!inGraph.contains(n)) fail(n, "is in kernel " + k + " but not in the graph");
          if (stageOf[n.id()] >= 0) fail(n, "is computed twice by the plan (kernel " + k + ", " + s.text() + ")");
          stageOf[n.id()] = stage;
          position[n.id()] = i;
        }
        stage++;
      }
    }
    for (Node n : g.nodes()) {
      if (stageOf[n.id()] < 0 && !n.op().isSource()) fail(n, "computes a value but is in no kernel");
      if (stageOf[n.id()] >= 0 && n.op().isSource()) fail(n, "holds a value (input, variable or constant) but is in a kernel");
      for (Node in : n.inputs()) {
        if (in.op().isSource() || stageOf[n.id()] < 0) continue;
        boolean before = stageOf[in.id()] < stageOf[n.id()] || stageOf[in.id()] == stageOf[n.id()] && position[in.id()] < position[n.id()];
        if (!before) fail(n, "reads '" + in.name() + "' before the plan computes it");
      }
    }
  }

  private static void fail(Node n, String what) {
    throw new IllegalStateException("graph invariant broken: " + n.describe() + " " + what
        + "; this is a bug in Fusebox (rerun with -Dfusebox.debug=2 to print the graph after each pass)");
  }
}
