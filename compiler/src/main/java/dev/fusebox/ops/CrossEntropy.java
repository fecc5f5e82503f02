package dev.fusebox.ops;

import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.Lowering;

/**
 * Cross-entropy of probabilities: mean over valid rows of {@code −Σⱼ yⱼ log pⱼ}, with each log
 * clamped at −100 as PyTorch's {@code BCELoss} does so that p = 0 gives a large finite loss. Applied to
 * a softmax it is unstable; the fusion pass rewrites {@code cross_entropy(softmax(z))} into
 * {@link SoftmaxCrossEntropy}. Gradient {@code −y/max(p, 1e−12) / n}, floored like PyTorch's
 * {@code BCELoss} gradient so that it stays finite in float32 (a floor of e^−100 would give −2.7e43,
 * beyond float32's range); with respect to a float target {@code −max(log p, −100)/n}.
 */
public record CrossEntropy() implements Loss {
  static final double LOG_FLOOR = -100;

  @Override
  public String name() {
    return "cross_entropy";
  }

  @Override
  public boolean acceptsLabels() {
    return true;
  }

  @Override
  public double value(Buffer p, Buffer y, int rows) {
    int cols = p.shape().cols();
    double total = 0;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double t = Loss.target(y, r, c, cols);
        if (t != 0) total -= t * Math.max(Math.log(p.get(r * cols + c)), LOG_FLOOR);
      }
    }
    return total / rows;
  }

  @Override
  public void gradient(Buffer p, Buffer y, double dy, int rows, Buffer out) {
    int cols = p.shape().cols();
    double floor = 1e-12;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double t = Loss.target(y, r, c, cols);
        out.set(r * cols + c, t == 0 ? 0 : -t / Math.max(p.get(r * cols + c), floor) * dy / rows);
      }
    }
  }

  @Override
  public void targetGradient(Buffer p, Buffer y, double dy, int rows, Buffer out) {
    int cols = p.shape().cols();
    for (int i = 0; i < rows * cols; i++) out.set(i, -Math.max(Math.log(p.get(i)), LOG_FLOOR) * dy / rows);
  }

  @Override
  public void lower(Lowering l) {
    int cols = l.inputShape(0).cols();
    boolean labels = l.inputShape(1).rank() == 1;
    String p = l.input(0), n = l.local("n"), total = l.local("total");
    l.statement("int $L = $L", n, l.validRows(l.inputShape(0).rows()));
    l.statement("double $L = 0", total);
    l.begin("for (int r = 0; r < $L; r++)", n);
    l.begin("for (int c = 0; c < $L; c++)", cols);
    l.statement("float t = $L", Lowerings.target(l, 1, labels, "r", "c", cols));
    l.begin("if (t != 0f)");
    l.statement("$L -= t * Math.max(Math.log($L[r * $L + c]), $L)", total, p, cols, LOG_FLOOR);
    l.end();
    l.end();
    l.end();
    l.statement("$L[0] = (float) ($L / $L)", l.output(), total, n);
  }

  @Override
  public void lowerGradient(Lowering l, boolean wrtTarget) {
    int rows = l.inputShape(0).rows(), cols = l.inputShape(0).cols();
    boolean labels = l.inputShape(1).rank() == 1;
    String p = l.input(0), out = l.output(), n = l.local("n"), scale = l.local("scale");
    l.statement("int $L = $L", n, l.validRows(rows));
    l.statement("double $L = $L[0] / (double) $L", scale, l.input(2), n);
    l.begin("for (int i = 0; i < $L * $L; i++)", n, cols);
    if (wrtTarget) {
      l.statement("$L[i] = (float) (-Math.max(Math.log($L[i]), $L) * $L)", out, p, LOG_FLOOR, scale);
    } else {
      l.statement("float t = $L", Lowerings.target(l, 1, labels, "(i / " + cols + ")", "(i % " + cols + ")", cols));
      l.statement("$L[i] = t == 0f ? 0f : (float) (-t / Math.max($L[i], 1e-12) * $L)", out, p, scale);
    }
    l.end();
    l.statement("java.util.Arrays.fill($L, $L * $L, $L, 0f)", out, n, cols, rows * cols);
  }
}
