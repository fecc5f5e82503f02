package dev.fusebox.ops;

import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.Lowering;

/**
 * Cross-entropy of softmax(logits) against class labels {@code [r]} or target distributions
 * {@code [r, c]} (one-hot or soft): mean over valid rows of {@code Σⱼ yⱼ (lse − zⱼ)} where
 * lse = log Σ exp(z), computed stably. Gradient {@code (softmax(z)·Σy − y)/n}, i.e. {@code (p − y)/n};
 * with respect to a float target {@code (lse − z)/n}.
 */
public record SoftmaxCrossEntropy() implements Loss {

  @Override
  public String name() {
    return "softmax_cross_entropy";
  }

  @Override
  public boolean acceptsLabels() {
    return true;
  }

  @Override
  public double value(Buffer z, Buffer y, int rows) {
    int cols = z.shape().cols();
    double total = 0;
    for (int r = 0; r < rows; r++) {
      double max = Softmax.rowMax(z, r, cols), logSum = Softmax.logSumShifted(z, r, cols, max);
      for (int c = 0; c < cols; c++) {
        double t = Loss.target(y, r, c, cols);
        if (t != 0) total -= t * Softmax.logSoftmax(z.get(r * cols + c), max, logSum);
      }
    }
    return total / rows;
  }

  @Override
  public void gradient(Buffer z, Buffer y, double dy, int rows, Buffer out) {
    int cols = z.shape().cols();
    for (int r = 0; r < rows; r++) {
      double max = Softmax.rowMax(z, r, cols), logSum = Softmax.logSumShifted(z, r, cols, max), mass = 0;
      for (int c = 0; c < cols; c++) mass += Loss.target(y, r, c, cols);
      for (int c = 0; c < cols; c++) {
        double p = Math.exp(Softmax.logSoftmax(z.get(r * cols + c), max, logSum));
        out.set(r * cols + c, (p * mass - Loss.target(y, r, c, cols)) * dy / rows);
      }
    }
  }

  @Override
  public void targetGradient(Buffer z, Buffer y, double dy, int rows, Buffer out) {
    int cols = z.shape().cols();
    for (int r = 0; r < rows; r++) {
      double max = Softmax.rowMax(z, r, cols), logSum = Softmax.logSumShifted(z, r, cols, max);
      for (int c = 0; c < cols; c++) out.set(r * cols + c, -Softmax.logSoftmax(z.get(r * cols + c), max, logSum) * dy / rows);
    }
  }

  @Override
  public void lower(Lowering l) {
    int cols = l.inputShape(0).cols();
    boolean labels = l.inputShape(1).rank() == 1;
    String z = l.input(0), n = l.local("n"), total = l.local("total");
    l.statement("int $L = $L", n, l.validRows(l.inputShape(0).rows()));
    l.statement("double $L = 0", total);
    l.begin("for (int r = 0; r < $L; r++)", n);
    Lowerings.logSumExp(l, z, "r", cols);
    if (labels) {
      l.statement("$L -= ($L[r * $L + $L[r]] - max) - logSum", total, z, cols, l.input(1));
    } else {
      l.begin("for (int c = 0; c < $L; c++)", cols);
      l.statement("$L -= $L * (($L[r * $L + c] - max) - logSum)", total, Lowerings.target(l, 1, false, "r", "c", cols), z, cols);
      l.end();
    }
    l.end();
    l.statement("$L[0] = (float) ($L / $L)", l.output(), total, n);
  }

  @Override
  public void lowerGradient(Lowering l, boolean wrtTarget) {
    int rows = l.inputShape(0).rows(), cols = l.inputShape(0).cols();
    boolean labels = l.inputShape(1).rank() == 1;
    String z = l.input(0), out = l.output(), n = l.local("n"), scale = l.local("scale");
    l.statement("int $L = $L", n, l.validRows(rows));
    l.statement("double $L = $L[0] / (double) $L", scale, l.input(2), n);
    l.begin("for (int r = 0; r < $L; r++)", n);
    Lowerings.logSumExp(l, z, "r", cols);
    if (wrtTarget) {
      l.begin("for (int c = 0; c < $L; c++)", cols);
      l.statement("$L[r * $L + c] = (float) (-(($L[r * $L + c] - max) - logSum) * $L)", out, cols, z, cols, scale);
      l.end();
    } else {
      l.statement("double mass = 0");
      l.begin("for (int c = 0; c < $L; c++)", cols);
      l.statement("mass += $L", Lowerings.target(l, 1, labels, "r", "c", cols));
      l.end();
      l.begin("for (int c = 0; c < $L; c++)", cols);
      l.statement("double p = Math.exp(($L[r * $L + c] - max) - logSum)", z, cols);
      l.statement("$L[r * $L + c] = (float) ((p * mass - $L) * $L)", out, cols, Lowerings.target(l, 1, labels, "r", "c", cols), scale);
      l.end();
    }
    l.end();
    l.statement("java.util.Arrays.fill($L, $L * $L, $L, 0f)", out, n, cols, rows * cols);
  }
}
