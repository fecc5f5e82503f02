package dev.fusebox.runtime.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The one order in which the gradients of a global batch's {@code k} micro-batches are summed, fixed by
 * their index alone, so that the sum is the same to the bit however the micro-batches are spread over
 * threads, processes or machines. Float addition is not associative: any order that depends on who
 * finished first, or on how many workers there are, drifts.
 *
 * <p>The order is a binary tree over the indices [0, k): a node [lo, hi) with more than one index is
 * the sum, element by element, of its left child [lo, mid) and its right child [mid, hi), where mid
 * is lo plus the largest power of two smaller than hi − lo; a node of one index is that micro-batch's
 * gradient. A worker that owns a range of micro-batches reduces the tree's nodes that lie wholly in
 * its range ({@link #cover}); whoever combines the workers' partial sums finishes the tree in the same
 * order ({@link Sums#root}). So for any split of [0, k) into contiguous ranges the result is the root
 * of the same tree.
 */
public final class ReductionTree {
  private ReductionTree() {}

  /** A node of the tree: the micro-batches [lo, hi). */
  public record Node(int lo, int hi) {
    public Node {
      if (lo < 0 || hi <= lo) throw new IllegalArgumentException("a node covers at least one micro-batch, not [" + lo + ", " + hi + ")");
    }

    public boolean isLeaf() {
      return hi - lo == 1;
    }

    /** Where the node splits: lo plus the largest power of two below its size. */
    public int mid() {
      return lo + Integer.highestOneBit(hi - lo - 1);
    }

    public Node left() {
      return new Node(lo, mid());
    }

    public Node right() {
      return new Node(mid(), hi);
    }
  }

  /** The root of the tree over {@code k} micro-batches. */
  public static Node root(int k) {
    return new Node(0, k);
  }

  /**
   * The largest nodes of the tree over [0, k) that lie wholly in [from, to), in order: what a worker
   * owning those micro-batches reduces and hands on. They cover [from, to) exactly.
   */
  public static List<Node> cover(int k, int from, int to) {
    if (from < 0 || to > k || from >= to) throw new IllegalArgumentException("[" + from + ", " + to + ") is not a range of micro-batches in [0, " + k + ")");
    List<Node> out = new ArrayList<>();
    cover(root(k), from, to, out);
    return out;
  }

  private static void cover(Node n, int from, int to, List<Node> out) {
    if (n.hi() <= from || n.lo() >= to) return;
    if (from <= n.lo() && n.hi() <= to) {
      out.add(n);
      return;
    }
    cover(n.left(), from, to, out);
    cover(n.right(), from, to, out);
  }

  /** Where a node's sum comes from: its leaves' gradients, or partial sums handed on by workers. */
  public interface Sums {
    /**
     * Writes the sum of node {@code n} into {@code out}: a partial some worker computed, or, for a node
     * no one reduced as a whole, its two children summed in tree order (a leaf: its micro-batch's
     * gradient). Returns false if neither is available.
     */
    boolean known(Node n, float[] out);

    /**
     * The root's sum into {@code out}, finishing the tree from what {@link #known} supplies; {@code scratch}
     * holds one array per level of the tree below the root (at least ⌈log₂ k⌉), each as long as {@code out},
     * so that nothing is allocated.
     */
    static void root(int k, Sums sums, float[] out, float[][] scratch) {
      node(ReductionTree.root(k), sums, out, scratch, 0);
    }

    /** As {@link #root}, for node {@code n}: what a worker computes for each node of its {@link #cover}. */
    static void node(Node n, Sums sums, float[] out, float[][] scratch) {
      node(n, sums, out, scratch, 0);
    }

    private static void node(Node n, Sums sums, float[] out, float[][] scratch, int depth) {
      if (sums.known(n, out)) return;
      if (n.isLeaf()) throw new IllegalStateException("no gradient for micro-batch " + n.lo());
      node(n.left(), sums, out, scratch, depth);
      float[] right = scratch[depth];
      node(n.right(), sums, right, scratch, depth + 1);
      for (int i = 0; i < out.length; i++) out[i] += right[i];
    }
  }

  /** Levels of the tree over {@code k} micro-batches: the scratch arrays {@link Sums#root} needs. */
  public static int depth(int k) {
    return k <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(k - 1);
  }
}
