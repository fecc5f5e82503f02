package dev.fusebox.ops;

import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.Lowering;

/**
 * Binary cross-entropy, mean over valid rows × columns, against float targets in [0, 1].
 *
 * <p>On logits ({@code logits=true}): {@code max(z, 0) − z·y + log1p(e^−|z|)}, finite for every z;
 * gradient {@code (σ(z) − y)/(n·c)}. On probabilities: {@code −(y log p + (1−y) log(1−p))} with logs
 * clamped at −100 and gradient {@code (p − y)/max(p(1−p), 1e−12)/(n·c)}, as PyTorch's {@code BCELoss}.
 * The fusion pass rewrites the probability form applied to a sigmoid into the logit form. With respect
 * to the target: {@code −z/(n·c)} on logits, {@code −(log p − log(1−p))/(n·c)} (clamped logs) on
 * probabilities.
 */
public record BinaryCrossEntropy(boolean logits) implements Loss {

  @Override
  public String name() {
    return logits ? "bce_with_logits" : "bce";
  }

  @Override
  public boolean acceptsLabels() {
    return false;
  }

  @Override
  public double value(Buffer x, Buffer y, int rows) {
    int cols = x.shape().cols();
    double total = 0;
    for (int i = 0; i < rows * cols; i++) {
      double v = x.get(i), t = y.get(i);
      if (logits) {
        total += Math.max(v, 0) - v * t + Math.log1p(Math.exp(-Math.abs(v)));
      } else {
        total -= t * Math.max(Math.log(v), CrossEntropy.LOG_FLOOR) + (1 - t) * Math.max(Math.log1p(-v), CrossEntropy.LOG_FLOOR);
      }
    }
    return total / ((double) rows * cols);
  }

  @Override
  public void gradient(Buffer x, Buffer y, double dy, int rows, Buffer out) {
    int cols = x.shape().cols();
    double scale = dy / ((double) rows * cols);
    for (int i = 0; i < rows * cols; i++) {
      double v = x.get(i), t = y.get(i);
      double g = logits ? 1 / (1 + Math.exp(-v)) - t : (v - t) / Math.max(v * (1 - v), 1e-12);
      out.set(i, g * scale);
    }
  }

  @Override
  public void targetGradient(Buffer x, Buffer y, double dy, int rows, Buffer out) {
    int cols = x.shape().cols();
    double scale = dy / ((double) rows * cols);
    for (int i = 0; i < rows * cols; i++) {
      double v = x.get(i);
      double g = logits ? -v : -(Math.max(Math.log(v), CrossEntropy.LOG_FLOOR) - Math.max(Math.log1p(-v), CrossEntropy.LOG_FLOOR));
      out.set(i, g * scale);
    }
  }

  @Override
  public void lower(Lowering l) {
    int cols = l.inputShape(0).cols();
    String x = l.input(0), y = l.input(1), n = l.local("n"), total = l.local("total");
    l.statement("int $L = $L", n, l.validRows(l.inputShape(0).rows()));
    l.statement("double $L = 0", total);
    l.begin("for (int i = 0; i < $L * $L; i++)", n, cols);
    l.statement("double v = $L[i]", x);
    l.statement("double t = $L[i]", y);
    if (logits) {
      l.statement("$L += Math.max(v, 0) - v * t + Math.log1p(Math.exp(-Math.abs(v)))", total);
    } else {
      l.statement("$L -= t * Math.max(Math.log(v), $L) + (1 - t) * Math.max(Math.log1p(-v), $L)", total,
          CrossEntropy.LOG_FLOOR, CrossEntropy.LOG_FLOOR);
    }
    l.end();
    l.statement("$L[0] = (float) ($L / ((double) $L * $L))", l.output(), total, n, cols);
  }

  @Override
  public void lowerGradient(Lowering l, boolean wrtTarget) {
    int rows = l.inputShape(0).rows(), cols = l.inputShape(0).cols();
    String x = l.input(0), y = l.input(1), out = l.output(), n = l.local("n"), scale = l.local("scale");
    l.statement("int $L = $L", n, l.validRows(rows));
    l.statement("double $L = $L[0] / ((double) $L * $L)", scale, l.input(2), n, cols);
    l.begin("for (int i = 0; i < $L * $L; i++)", n, cols);
    l.statement("double v = $L[i]", x);
    l.statement("double t = $L[i]", y);
    String g;
    if (wrtTarget) {
      g = logits ? "-v" : "-(Math.max(Math.log(v), " + CrossEntropy.LOG_FLOOR + ") - Math.max(Math.log1p(-v), " + CrossEntropy.LOG_FLOOR + "))";
    } else {
      g = logits ? "1 / (1 + Math.exp(-v)) - t" : "(v - t) / Math.max(v * (1 - v), 1e-12)";
    }
    l.statement("$L[i] = (float) (($L) * $L)", out, g, scale);
    l.end();
    l.statement("java.util.Arrays.fill($L, $L * $L, $L, 0f)", out, n, cols, rows * cols);
  }
}
