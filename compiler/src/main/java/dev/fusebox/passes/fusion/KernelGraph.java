package dev.fusebox.passes.fusion;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The kernels kernel fusion is forming, and the one rule every grouping keeps: the graph of units (a
 * kernel's nodes contracted to one vertex, every node not yet in a kernel a vertex of its own) stays
 * acyclic, so the kernels can run one after another. Checking each kernel for convexity alone is not
 * enough: two kernels can each be convex and still feed each other.
 *
 * <p>Units are kept in a topological order ({@code position}), maintained as Pearce and Kelly's dynamic
 * topological sort does: merging units u before v makes a cycle exactly when a path leads from u to v
 * through another unit, and such a path only visits units between the two in the order; after the
 * merge only the units in that window that u reaches or that reach v move. Checks stay local, so
 * planning a 1000-layer network takes time proportional to its size.
 */
final class KernelGraph {
  private final Map<Node, List<Node>> users;
  /** Node id → its unit; -1 for sources (inputs, variables, constants), which belong to no kernel. */
  private final int[] unitOf;
  private final List<List<Node>> members = new ArrayList<>();
  private final int[] position;
  /** Unit → the kernel it is (an index the planner uses), or -1 while it is a node no kernel has claimed. */
  private final int[] kernelOf;
  private final List<Integer> unitOfKernel = new ArrayList<>();
  // Scratch for searches, stamped so that nothing is cleared between them.
  private final int[] seen;
  private int stamp;

  KernelGraph(Graph g, Map<Node, List<Node>> users) {
    this.users = users;
    int n = g.size();
    unitOf = new int[n];
    position = new int[n];
    kernelOf = new int[n];
    seen = new int[n];
    Arrays.fill(kernelOf, -1);
    for (Node node : g.nodes()) {
      unitOf[node.id()] = node.op().isSource() ? -1 : node.id();
      members.add(node.op().isSource() ? List.of() : new ArrayList<>(List.of(node)));
      position[node.id()] = node.id(); // graph order is a topological order
    }
  }

  /** The kernel {@code n} is in, or -1. */
  int of(Node n) {
    int u = unitOf[n.id()];
    return u < 0 ? -1 : kernelOf[u];
  }

  /** Members of kernel k in the order they joined (empty once merged into another). */
  List<Node> members(int k) {
    return members.get(unitOfKernel.get(k));
  }

  /** A new kernel holding {@code n}, which is in none yet; returns its index. */
  int start(Node n) {
    kernelOf[unitOf[n.id()]] = unitOfKernel.size();
    unitOfKernel.add(unitOf[n.id()]);
    return unitOfKernel.size() - 1;
  }

  /** Whether {@code n}, in no kernel yet, can join kernel k and the kernels stay acyclic. */
  boolean canJoin(int k, Node n) {
    return !cycle(unitOfKernel.get(k), unitOf[n.id()]);
  }

  void join(int k, Node n) {
    mergeUnits(unitOfKernel.get(k), unitOf[n.id()]);
  }

  /** Whether kernels a and b can become one and the kernels stay acyclic. */
  boolean canMerge(int a, int b) {
    return !cycle(unitOfKernel.get(a), unitOfKernel.get(b));
  }

  /** Moves every member of kernel {@code from} into {@code into}. */
  void merge(int into, int from) {
    mergeUnits(unitOfKernel.get(into), unitOfKernel.get(from));
  }

  /**
   * Whether a path leads from one unit to the other through a third. Such a path leaves the earlier unit
   * u to a unit between the two in the order and enters the later unit v from one: without either
   * kind of neighbour (the common case: an epilogue whose other inputs are parameters) there is none.
   */
  private boolean cycle(int a, int b) {
    int u = position[a] < position[b] ? a : b, v = u == a ? b : a;
    return between(u, u, v, true) && between(v, u, v, false) && reach(u, v, true) == null;
  }

  /**
   * Merges unit {@code b} into {@code a} (which then holds both and keeps a's kernel index), and moves
   * the units between them so that the order stays topological: the units that reach v first, then the
   * merged unit, then the units u reaches. With nothing between them on one side, nothing moves.
   */
  private void mergeUnits(int a, int b) {
    int u = position[a] < position[b] ? a : b, v = u == a ? b : a;
    if (!between(v, u, v, false)) {
      position[a] = position[u];
    } else if (!between(u, u, v, true)) {
      position[a] = position[v];
    } else {
      List<Integer> forward = reach(u, v, true), backward = reach(v, u, false);
      if (forward == null || backward == null) throw new IllegalStateException("bug in kernel_fusion: merging two units would make a cycle");
      List<Integer> slots = new ArrayList<>();
      for (int w : backward) slots.add(position[w]);
      for (int w : forward) slots.add(position[w]);
      slots.add(position[u]);
      slots.add(position[v]);
      slots.sort(null);
      backward.sort(Comparator.comparingInt(w -> position[w]));
      forward.sort(Comparator.comparingInt(w -> position[w]));
      int i = 0;
      for (int w : backward) position[w] = slots.get(i++);
      position[a] = slots.get(i++);
      for (int w : forward) position[w] = slots.get(i++);
    }
    for (Node m : members.get(b)) {
      unitOf[m.id()] = a;
      members.get(a).add(m);
    }
    members.get(b).clear();
    if (kernelOf[a] < 0) {
      kernelOf[a] = kernelOf[b];
      if (kernelOf[a] >= 0) unitOfKernel.set(kernelOf[a], a);
    }
  }

  /** Whether unit w has a neighbour (a user's unit if {@code forward}, else an input's) strictly between u and v in the order. */
  private boolean between(int w, int u, int v, boolean forward) {
    for (Node m : members.get(w)) {
      for (Node next : forward ? users.get(m) : m.inputs()) {
        int x = unitOf[next.id()];
        if (x >= 0 && x != u && x != v && position[x] > position[u] && position[x] < position[v]) return true;
      }
    }
    return false;
  }

  /**
   * The units strictly between {@code from} and {@code to} in the order that a search from
   * {@code from} reaches (along users if {@code forward}, else along inputs), or null if it reaches
   * {@code to} through one of them.
   */
  private List<Integer> reach(int from, int to, boolean forward) {
    stamp++;
    int bound = position[to];
    List<Integer> found = new ArrayList<>();
    List<Integer> stack = new ArrayList<>(List.of(from));
    seen[from] = stamp;
    while (!stack.isEmpty()) {
      int w = stack.remove(stack.size() - 1);
      for (Node m : members.get(w)) {
        for (Node next : forward ? users.get(m) : m.inputs()) {
          int x = unitOf[next.id()];
          if (x < 0 || x == w || seen[x] == stamp) continue;
          if (x == to) {
            if (w != from) return null;
            continue;
          }
          if (forward ? position[x] > bound : position[x] < bound) continue;
          seen[x] = stamp;
          found.add(x);
          stack.add(x);
        }
      }
    }
    return found;
  }
}
