package dev.fusebox.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * One pass over data inside a kernel, as kernel fusion planned it. A kernel runs its stages in order;
 * values pass between stages only through arrays, while a value read only inside its own stage may
 * stay in registers (a loop's locals, a matmul's tile). Code generation emits each stage as it is
 * written here and derives nothing.
 */
public sealed interface Stage {

  /** The nodes this stage computes, in evaluation order. */
  List<Node> nodes();

  /** {@code loop(a, b; sums s)}: how the plan prints the stage. */
  String text();

  /**
   * Elementwise nodes of one shape in one loop over that shape, each element loaded, computed and
   * stored before the next (so a value may be overwritten in place by an update of the same element).
   * {@code columnSums} are {@code sum_to} nodes of members, accumulated in the same pass. With
   * {@code validRows} the loop runs over the batch's valid rows only (see {@code ValidRows}).
   */
  record Loop(List<Node> members, List<Node> columnSums, boolean validRows) implements Stage {
    public Loop {
      members = List.copyOf(members);
      columnSums = List.copyOf(columnSums);
      if (members.isEmpty()) throw new IllegalArgumentException("a loop computes at least one node");
    }

    public Loop(List<Node> members, List<Node> columnSums) {
      this(members, columnSums, false);
    }

    public Loop(List<Node> members) {
      this(members, List.of(), false);
    }

    /** The iteration space: the members' common shape. */
    public Shape space() {
      return members.get(0).shape();
    }

    @Override
    public List<Node> nodes() {
      List<Node> all = new ArrayList<>(members);
      all.addAll(columnSums);
      return all;
    }

    @Override
    public String text() {
      return "loop(" + names(members) + (columnSums.isEmpty() ? "" : "; sums " + names(columnSums)) + ")" + flags(validRows, false);
    }
  }

  /**
   * A matmul (the "hero") computed tile by tile, each finished tile handed to the elementwise
   * {@code epilogue} (nodes of the matmul's shape that depend on it) while it is in cache. With
   * {@code validRows} it computes the batch's valid rows only; with {@code validDepth} it sums over
   * the valid rows of a batch it contracts (a weight gradient dzᵀ·x) only.
   */
  record Matmul(Node matmul, List<Node> epilogue, boolean validRows, boolean validDepth) implements Stage {
    public Matmul {
      epilogue = List.copyOf(epilogue);
    }

    public Matmul(Node matmul, List<Node> epilogue) {
      this(matmul, epilogue, false, false);
    }

    @Override
    public List<Node> nodes() {
      List<Node> all = new ArrayList<>(List.of(matmul));
      all.addAll(epilogue);
      return all;
    }

    @Override
    public String text() {
      return "matmul(" + matmul.name() + (epilogue.isEmpty() ? "" : "; " + names(epilogue)) + ")" + flags(validRows, validDepth);
    }
  }

  /** One op with code generation of its own (losses, softmax, reductions, transposes...). */
  record Single(Node node) implements Stage {
    @Override
    public List<Node> nodes() {
      return List.of(node);
    }

    @Override
    public String text() {
      return "single(" + node.name() + ")";
    }
  }

  /** {@code [valid rows]}, {@code [valid depth]}, both, or nothing. */
  private static String flags(boolean rows, boolean depth) {
    if (!rows && !depth) return "";
    return "[" + (rows ? "valid rows" : "") + (rows && depth ? ", " : "") + (depth ? "valid depth" : "") + "]";
  }

  private static String names(List<Node> nodes) {
    return String.join(", ", nodes.stream().map(Node::name).toList());
  }
}
