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

  /**
   * A node of the tree: the micro-batches [lo, hi).
   *
   * @param lo the first micro-batch's index, 0 or more
   * @param hi one past the last, greater than {@code lo}
   */
  public record Node(int lo, int hi) {
    /**
     * A node.
     *
     * @param lo the first micro-batch's index, 0 or more
     * @param hi one past the last, greater than {@code lo}
     * @throws IllegalArgumentException if the range is empty or starts below 0
     */
    public Node {
      if (lo < 0 || hi <= lo) throw new IllegalArgumentException("a node covers at least one micro-batch, not [" + lo + ", " + hi + ")");
    }

    /** {@return whether the node is one micro-batch} */
    public boolean isLeaf() {
      return hi - lo == 1;
    }

    /** {@return where the node splits: lo plus the largest power of two below its size} */
    public int mid() {
      return lo + Integer.highestOneBit(hi - lo - 1);
    }

    /** {@return the left child, [lo, mid); not for a leaf} */
    public Node left() {
      return new Node(lo, mid());
    }

    /** {@return the right child, [mid, hi); not for a leaf} */
    public Node right() {
      return new Node(mid(), hi);
    }
  }

  /**
   * {@return the root of the tree over {@code k} micro-batches}
   *
   * @param k the micro-batches of the global batch, 1 or more
   */
  public static Node root(int k) {
    return new Node(0, k);
  }

  /**
   * The largest nodes of the tree over [0, k) that lie wholly in [from, to), in order: what a worker
   * owning those micro-batches reduces and hands on. They cover [from, to) exactly.
   *
   * @param k the micro-batches of the global batch
   * @param from the worker's first micro-batch
   * @param to one past its last, at most {@code k}
   * @return the nodes, left to right
   * @throws IllegalArgumentException if [from, to) is empty or not within [0, k)
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
     * Writes the sum of node [lo, hi) into {@code out}: a partial some worker computed, or for a leaf
     * (hi = lo + 1) its micro-batch's gradient; returns false for a node no one supplies as a whole,
     * which is then summed from its two children in tree order. A node is given by its bounds rather
     * than as a {@link Node}, so that finishing a tree allocates nothing.
     *
     * @param lo the node's first micro-batch
     * @param hi one past its last micro-batch
     * @param out where the sum goes, as long as a gradient
     * @return false if no one supplies this node as a whole ({@code out} then holds nothing of use)
     */
    boolean known(int lo, int hi, float[] out);

    /**
     * The root's sum into {@code out}, finishing the tree from what {@link #known} supplies; {@code scratch}
     * holds one array per level of the tree below the root (at least {@link #depth}(k)), each as long as
     * {@code out}, so that nothing is allocated.
     *
     * @param k the micro-batches of the global batch
     * @param sums what is known
     * @param out where the global batch's summed gradient goes
     * @param scratch at least {@link #depth depth(k)} arrays as long as {@code out}
     * @throws IllegalStateException naming a micro-batch whose gradient is neither known nor in a known partial sum
     */
    static void root(int k, Sums sums, float[] out, float[][] scratch) {
      if (k < 1) throw new IllegalArgumentException("a tree has at least one micro-batch, not " + k);
      node(0, k, sums, out, scratch, 0);
    }

    /**
     * As {@link #root}, for node {@code n}: what a worker computes for each node of its {@link #cover}.
     *
     * @param n the node
     * @param sums what is known
     * @param out where the node's sum goes
     * @param scratch at least as many arrays as {@code n} has levels below it, each as long as {@code out}
     * @throws IllegalStateException naming a micro-batch whose gradient is neither known nor in a known partial sum
     */
    static void node(Node n, Sums sums, float[] out, float[][] scratch) {
      node(n.lo(), n.hi(), sums, out, scratch, 0);
    }

    private static void node(int lo, int hi, Sums sums, float[] out, float[][] scratch, int depth) {
      if (sums.known(lo, hi, out)) return;
      if (hi - lo == 1) throw new IllegalStateException("no gradient for micro-batch " + lo);
      int mid = lo + Integer.highestOneBit(hi - lo - 1); // as Node.mid
      node(lo, mid, sums, out, scratch, depth);
      float[] right = scratch[depth];
      node(mid, hi, sums, right, scratch, depth + 1);
      for (int i = 0; i < out.length; i++) out[i] += right[i];
    }
  }

  /**
   * {@return the levels of the tree over {@code k} micro-batches below its root: the scratch arrays
   * {@link Sums#root} needs}
   *
   * @param k the micro-batches of the global batch
   */
  public static int depth(int k) {
    return k <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(k - 1);
  }
}
