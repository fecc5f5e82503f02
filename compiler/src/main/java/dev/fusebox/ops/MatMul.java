package dev.fusebox.ops;

import dev.fusebox.ir.BatchAxes;
import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.EvalContext;
import dev.fusebox.ir.Gradients;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.ir.ShapeCheck;
import java.util.Arrays;
import java.util.List;

/**
 * Matrix product {@code op(A)·op(B)} where op transposes when its flag is set. A dense layer with
 * PyTorch's weight layout {@code [out, in]} is {@code matmul[transB](x, W)}.
 */
public record MatMul(boolean transA, boolean transB) implements Op {

  @Override
  public String name() {
    return "matmul";
  }

  @Override
  public String attributes() {
    return transA && transB ? "transA,transB" : transA ? "transA" : transB ? "transB" : "";
  }

  @Override
  public int arity() {
    return 2;
  }

  /** op(A)'s rows and op(B)'s columns carry their batch axes over; a batch contraction axis is summed away. */
  @Override
  public int batchAxes(Shape out, List<Node> inputs, int[] inputAxes) {
    boolean rows = transA ? BatchAxes.cols(inputAxes[0]) : BatchAxes.rows(inputAxes[0]);
    boolean cols = transB ? BatchAxes.rows(inputAxes[1]) : BatchAxes.cols(inputAxes[1]);
    return (rows ? BatchAxes.ROWS : 0) | (cols ? BatchAxes.COLS : 0);
  }

  /** Whether the axis this matmul sums over (op(A)'s columns, op(B)'s rows) runs along the batch in both operands. */
  public boolean contractsBatch(int[] inputAxes) {
    boolean a = transA ? BatchAxes.rows(inputAxes[0]) : BatchAxes.cols(inputAxes[0]);
    boolean b = transB ? BatchAxes.cols(inputAxes[1]) : BatchAxes.rows(inputAxes[1]);
    return a && b;
  }

  @Override
  public Shape shape(ShapeCheck c) {
    c.requireFloat(0, "lhs");
    c.requireFloat(1, "rhs");
    c.requireMatrix(0, "lhs");
    c.requireMatrix(1, "rhs");
    Shape a = c.in(0), b = c.in(1);
    int m = transA ? a.dim(1) : a.dim(0), ka = transA ? a.dim(0) : a.dim(1);
    int kb = transB ? b.dim(1) : b.dim(0), n = transB ? b.dim(0) : b.dim(1);
    if (ka != kb) {
      c.fail("inner dimensions differ: lhs%s %s · rhs%s %s: %d != %d", transA ? "ᵀ" : "", a, transB ? "ᵀ" : "", b, ka, kb);
    }
    return Shape.of(m, n);
  }

  @Override
  public void eval(Buffer[] in, Buffer out, EvalContext ctx) {
    Buffer a = in[0], b = in[1];
    int m = out.shape().dim(0), n = out.shape().dim(1);
    int k = transA ? a.shape().dim(0) : a.shape().dim(1);
    int lda = a.shape().dim(1), ldb = b.shape().dim(1);
    double[] row = new double[n];
    // i-k-j order: the inner loop runs along rows of B and C.
    for (int i = 0; i < m; i++) {
      Arrays.fill(row, 0);
      for (int p = 0; p < k; p++) {
        double aip = transA ? a.get(p * lda + i) : a.get(i * lda + p);
        if (transB) {
          for (int j = 0; j < n; j++) row[j] += aip * b.get(j * ldb + p);
        } else {
          int base = p * ldb;
          for (int j = 0; j < n; j++) row[j] += aip * b.get(base + j);
        }
      }
      for (int j = 0; j < n; j++) out.set(i * n + j, row[j]);
    }
  }

  /** C = op(A)op(B): dA and dB are matmuls of dC with the other operand, transposed to fit. */
  @Override
  public List<Node> vjp(Gradients g, Node y, Node dy) {
    Node a = y.input(0), b = y.input(1);
    Node da = transA ? g.add(new MatMul(transB, true), b, dy) : g.add(new MatMul(false, !transB), dy, b);
    Node db = transB ? g.add(new MatMul(true, transA), dy, a) : g.add(new MatMul(!transA, false), a, dy);
    return List.of(da, db);
  }
}
