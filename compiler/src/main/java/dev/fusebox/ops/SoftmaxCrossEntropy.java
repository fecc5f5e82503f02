package dev.fusebox.ops;

import dev.fusebox.ir.Buffer;

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
}
