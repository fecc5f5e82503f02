package dev.fusebox.passes.fusion;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The groups kernel fusion is forming, and the one rule every grouping keeps: the graph of kernels (a
 * node not yet grouped counts as a kernel of its own) is acyclic, so the kernels can run one after
 * another. Checking each kernel for convexity alone is not enough: two kernels can each be convex and
 * still feed each other.
 */
final class KernelGraph {
  private final Map<Node, List<Node>> users;
  private final int[] group;
  private final List<List<Node>> members = new ArrayList<>();
  // Scratch for the cycle search, stamped so that nothing is cleared between searches.
  private final int[] nodeSeen, inMerged;
  private int[] groupSeen = new int[16];
  private int stamp;

  KernelGraph(Graph g, Map<Node, List<Node>> users) {
    this.users = users;
    this.group = new int[g.size()];
    java.util.Arrays.fill(group, -1);
    this.nodeSeen = new int[g.size()];
    this.inMerged = new int[g.size()];
  }

  /** The group of {@code n}, or -1. */
  int of(Node n) {
    return group[n.id()];
  }

  /** Members of group k in the order they joined (empty once merged into another). */
  List<Node> members(int k) {
    return members.get(k);
  }

  /** A new group holding {@code n}; returns its index. */
  int start(Node n) {
    members.add(new ArrayList<>(List.of(n)));
    group[n.id()] = members.size() - 1;
    if (groupSeen.length < members.size()) groupSeen = java.util.Arrays.copyOf(groupSeen, 2 * members.size());
    return members.size() - 1;
  }

  void join(int k, Node n) {
    members.get(k).add(n);
    group[n.id()] = k;
  }

  /** Moves every member of group {@code from} into {@code into}. */
  void merge(int into, int from) {
    for (Node m : members.get(from)) join(into, m);
    members.get(from).clear();
  }

  /** Whether ungrouped {@code n} can join group k and the kernels stay acyclic. */
  boolean canJoin(int k, Node n) {
    List<Node> merged = new ArrayList<>(members.get(k));
    merged.add(n);
    return !cycleThrough(merged);
  }

  /** Whether groups a and b can become one and the kernels stay acyclic. */
  boolean canMerge(int a, int b) {
    List<Node> merged = new ArrayList<>(members.get(a));
    merged.addAll(members.get(b));
    return !cycleThrough(merged);
  }

  /**
   * Whether some path leaves {@code merged} and comes back to it in the graph of groups: a search
   * forward from its users, where reaching any member of a group reaches all of the group's users.
   */
  private boolean cycleThrough(List<Node> merged) {
    stamp++;
    for (Node m : merged) inMerged[m.id()] = stamp;
    List<Node> stack = new ArrayList<>();
    for (Node m : merged) {
      for (Node u : users.get(m)) if (inMerged[u.id()] != stamp) stack.add(u);
    }
    while (!stack.isEmpty()) {
      Node y = stack.remove(stack.size() - 1);
      if (inMerged[y.id()] == stamp) return true;
      int k = group[y.id()];
      List<Node> reached;
      if (k >= 0) {
        if (groupSeen[k] == stamp) continue;
        groupSeen[k] = stamp;
        reached = members.get(k);
      } else {
        if (nodeSeen[y.id()] == stamp) continue;
        reached = List.of(y);
      }
      for (Node r : reached) {
        nodeSeen[r.id()] = stamp;
        for (Node u : users.get(r)) {
          if (inMerged[u.id()] == stamp) return true;
          if (nodeSeen[u.id()] != stamp) stack.add(u);
        }
      }
    }
    return false;
  }
}
