package dev.fusebox.runtime.train;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * A model's scores on a data set. The loss is the program's own loss averaged over every row (each
 * batch's mean weighted by its valid rows). Accuracy is present for class labels, MAE and RMSE (over
 * every target value) for regression targets.
 */
public record Metrics(long rows, double loss, OptionalDouble accuracy, OptionalDouble mae, OptionalDouble rmse) {

  public Metrics {
    if (rows < 1) throw new IllegalArgumentException("metrics need at least one row, not " + rows);
    if (accuracy == null || mae == null || rmse == null) {
      throw new NullPointerException("use OptionalDouble.empty() for a metric that does not apply");
    }
  }

  /** Metrics of class-labelled data. */
  static Metrics classification(long rows, double loss, double accuracy) {
    return new Metrics(rows, loss, OptionalDouble.of(accuracy), OptionalDouble.empty(), OptionalDouble.empty());
  }

  /** Metrics of data with regression targets. */
  static Metrics regression(long rows, double loss, double mae, double rmse) {
    return new Metrics(rows, loss, OptionalDouble.empty(), OptionalDouble.of(mae), OptionalDouble.of(rmse));
  }

  /**
   * The metrics as log text with a prefix on every name, such as
   * {@code valid_loss 0.4377  valid_accuracy 0.9120}.
   */
  public String format(String prefix) {
    StringBuilder b = new StringBuilder();
    b.append(prefix).append("loss ").append(fixed(loss));
    accuracy.ifPresent(a -> b.append("  ").append(prefix).append("accuracy ").append(fixed(a)));
    mae.ifPresent(m -> b.append("  ").append(prefix).append("mae ").append(fixed(m)));
    rmse.ifPresent(r -> b.append("  ").append(prefix).append("rmse ").append(fixed(r)));
    return b.toString();
  }

  static String fixed(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
