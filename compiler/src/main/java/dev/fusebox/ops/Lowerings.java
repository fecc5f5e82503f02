package dev.fusebox.ops;

import dev.fusebox.ir.Lowering;
import dev.fusebox.ir.Shape;

/** Snippets several ops' lowerings share. */
final class Lowerings {
  private Lowerings() {}

  /** The index expression of a tensor of shape {@code s} broadcast to element (r, c), as {@link Elementwise#broadcastIndex}. */
  static String index(Shape s, String r, String c) {
    String row = s.rows() == 1 ? "0" : r + " * " + s.cols();
    String col = s.cols() == 1 ? "0" : c;
    return row.equals("0") ? col : col.equals("0") ? row : row + " + " + col;
  }

  /** Declares {@code max} and {@code logSum} (log Σ exp(z − max), in double) for row {@code r} of {@code z}. */
  static void logSumExp(Lowering l, String z, String r, int cols) {
    l.statement("float max = Float.NEGATIVE_INFINITY");
    l.begin("for (int c = 0; c < $L; c++)", cols);
    l.statement("max = Math.max(max, $L[$L * $L + c])", z, r, cols);
    l.end();
    l.statement("double sum = 0");
    l.begin("for (int c = 0; c < $L; c++)", cols);
    l.statement("sum += Math.exp($L[$L * $L + c] - max)", z, r, cols);
    l.end();
    l.statement("double logSum = Math.log(sum)");
  }

  /** An expression for target (r, c) of a loss: the float target, or 1/0 from an integer label. */
  static String target(Lowering l, int i, boolean labels, String r, String c, int cols) {
    return labels ? "(" + l.input(i) + "[" + r + "] == " + c + " ? 1f : 0f)" : l.input(i) + "[" + r + " * " + cols + " + " + c + "]";
  }
}
