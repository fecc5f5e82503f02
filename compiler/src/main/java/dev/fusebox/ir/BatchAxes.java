package dev.fusebox.ir;

import java.util.List;

/**
 * Which axes of a value run along the batch: one entry per row of the graph's batch input. A program
 * told that only the first n rows of a batch hold data ({@code setValidRows}) computes those axes only
 * that far; every other axis is computed whole. Viewed as a matrix ({@link Shape#rows()},
 * {@link Shape#cols()}), a value's rows and columns can each be a batch axis: the features {@code [B, n]}
 * have batch rows, class labels {@code [B]} batch columns, a transposed activation {@code [n, B]} batch
 * columns. Each op says how its inputs' batch axes become its output's ({@link Op#batchAxes}); no batch
 * axis is always a safe answer.
 */
public final class BatchAxes {
  private BatchAxes() {}

  public static final int NONE = 0;
  /** The rows (dimension 0 of a matrix) run along the batch. */
  public static final int ROWS = 1;
  /** The columns (the last dimension) run along the batch. */
  public static final int COLS = 2;

  public static boolean rows(int axes) {
    return (axes & ROWS) != 0;
  }

  public static boolean cols(int axes) {
    return (axes & COLS) != 0;
  }

  /**
   * The batch axes of an elementwise result broadcast from its inputs (NumPy rules): its rows when an
   * input of the same row count, not broadcast along them, has batch rows; its columns likewise.
   */
  public static int broadcast(Shape out, List<Node> inputs, int[] inputAxes) {
    int axes = NONE;
    for (int i = 0; i < inputs.size(); i++) {
      Shape in = inputs.get(i).shape();
      if (out.rank() == 2 && in.rank() == 2 && in.rows() == out.rows() && rows(inputAxes[i])) axes |= ROWS;
      if (out.rank() >= 1 && in.rank() >= 1 && in.cols() == out.cols() && cols(inputAxes[i])) axes |= COLS;
    }
    return axes;
  }

  /** The batch axes of every node of {@code g}, by id. */
  static int[] of(Graph g) {
    int[] axes = new int[g.size()];
    for (Node n : g.nodes()) {
      int[] in = new int[n.inputs().size()];
      for (int i = 0; i < in.length; i++) in[i] = axes[n.input(i).id()];
      int a = n.op().batchAxes(n.shape(), n.inputs(), in);
      if (n.shape().rank() < 2) a &= COLS; // a vector's one axis is its columns; a scalar has none
      if (n.shape().rank() == 0) a = NONE;
      axes[n.id()] = a;
    }
    return axes;
  }
}
