package dev.fusebox.ops;

import dev.fusebox.ir.Buffer;
import dev.fusebox.ir.Lowering;

/**
 * Mean squared error over valid rows × columns: {@code (1/(n·c)) Σ (p − t)²}; with {@code half=true}
 * the textbook's half squared error {@code ½(p − t)²}, whose gradient is plainly {@code (p − t)/(n·c)}.
 */
public record MeanSquaredError(boolean half) implements Loss {

  @Override
  public String name() {
    return half ? "half_mse" : "mse";
  }

  @Override
  public boolean acceptsLabels() {
    return false;
  }

  @Override
  public double value(Buffer p, Buffer t, int rows) {
    int n = rows * p.shape().cols();
    double total = 0;
    for (int i = 0; i < n; i++) {
      double d = p.get(i) - t.get(i);
      total += d * d;
    }
    return (half ? 0.5 : 1.0) * total / n;
  }

  @Override
  public void gradient(Buffer p, Buffer t, double dy, int rows, Buffer out) {
    int n = rows * p.shape().cols();
    double scale = (half ? 1.0 : 2.0) * dy / n;
    for (int i = 0; i < n; i++) out.set(i, (p.get(i) - t.get(i)) * scale);
  }

  @Override
  public void targetGradient(Buffer p, Buffer t, double dy, int rows, Buffer out) {
    gradient(p, t, -dy, rows, out);
  }

  @Override
  public void lower(Lowering l) {
    int cols = l.inputShape(0).cols();
    String p = l.input(0), t = l.input(1), n = l.local("n"), total = l.local("total");
    l.statement("int $L = $L", n, l.validRows(l.inputShape(0).rows()));
    l.statement("double $L = 0", total);
    l.begin("for (int i = 0; i < $L * $L; i++)", n, cols);
    l.statement("double d = $L[i] - $L[i]", p, t);
    l.statement("$L += d * d", total);
    l.end();
    l.statement("$L[0] = (float) ($L * $L / ((double) $L * $L))", l.output(), half ? 0.5 : 1.0, total, n, cols);
  }

  @Override
  public void lowerGradient(Lowering l, boolean wrtTarget) {
    int rows = l.inputShape(0).rows(), cols = l.inputShape(0).cols();
    String p = l.input(0), t = l.input(1), out = l.output(), n = l.local("n"), scale = l.local("scale");
    l.statement("int $L = $L", n, l.validRows(rows));
    l.statement("double $L = $L * $L[0] / ((double) $L * $L)", scale, (half ? 1.0 : 2.0) * (wrtTarget ? -1 : 1), l.input(2), n, cols);
    l.begin("for (int i = 0; i < $L * $L; i++)", n, cols);
    l.statement("$L[i] = (float) (($L[i] - $L[i]) * $L)", out, p, t, scale);
    l.end();
    l.statement("java.util.Arrays.fill($L, $L * $L, $L, 0f)", out, n, cols, rows * cols);
  }
}
