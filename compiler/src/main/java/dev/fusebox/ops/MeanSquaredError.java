package dev.fusebox.ops;

import dev.fusebox.ir.Buffer;

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
}
