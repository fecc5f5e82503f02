package dev.fusebox.runtime.train;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * A model's scores on a data set. The loss is the program's own loss averaged over every row (each
 * batch's mean weighted by its valid rows). Accuracy is present for class labels, MAE and RMSE (over
 * every target value) for regression targets.
 *
 * @param rows the rows scored, 1 or more
 * @param loss the mean loss per row
 * @param accuracy the share of rows whose predicted class is the label, in {@code [0, 1]}; for class labels only
 * @param mae the mean absolute error over every target value; for regression only
 * @param rmse the root mean squared error over every target value; for regression only
 */
public record Metrics(long rows, double loss, OptionalDouble accuracy, OptionalDouble mae, OptionalDouble rmse) {
  // Where formatValue switches to scientific notation: PyTorch's limits for printing tensors.
  private static final double SCIENTIFIC_ABOVE = 1e8;
  private static final double SCIENTIFIC_BELOW = 1e-4;

  /**
   * Metrics; a metric that does not apply is {@link OptionalDouble#empty()}, never null.
   *
   * @param rows the rows scored, 1 or more
   * @param loss the mean loss per row
   * @param accuracy the share of rows whose predicted class is the label, in {@code [0, 1]}; for class labels only
   * @param mae the mean absolute error over every target value; for regression only
   * @param rmse the root mean squared error over every target value; for regression only
   * @throws IllegalArgumentException if {@code rows} is less than 1
   */
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
   * {@return the metrics as log text with a prefix on every name, such as
   * {@code valid_loss 0.4377  valid_accuracy 0.9120}}
   *
   * @param prefix put before every name ({@code valid_}); may be empty
   */
  public String format(String prefix) {
    StringBuilder b = new StringBuilder();
    b.append(prefix).append("loss ").append(formatValue(loss));
    accuracy.ifPresent(a -> b.append("  ").append(prefix).append("accuracy ").append(formatValue(a)));
    mae.ifPresent(m -> b.append("  ").append(prefix).append("mae ").append(formatValue(m)));
    rmse.ifPresent(r -> b.append("  ").append(prefix).append("rmse ").append(formatValue(r)));
    return b.toString();
  }

  /**
   * A loss or score as log lines print it: four decimals ({@code 0.0561}), or, as PyTorch prints a
   * tensor, scientific notation when that would hide the value: from 1e8 up ({@code 1.5418e+35} rather
   * than 36 digits) and below 1e-4 ({@code 3.2000e-06} rather than {@code 0.0000}). Zero, NaN and the
   * infinities print as {@code 0.0000}, {@code NaN}, {@code Infinity} and {@code -Infinity}.
   *
   * @param value the value
   * @return its text, in the root locale
   */
  public static String formatValue(double value) {
    double magnitude = Math.abs(value);
    boolean scientific = magnitude >= SCIENTIFIC_ABOVE || magnitude > 0 && magnitude < SCIENTIFIC_BELOW;
    return String.format(Locale.ROOT, scientific && magnitude < Double.POSITIVE_INFINITY ? "%.4e" : "%.4f", value);
  }

  /** For example {@code Metrics[rows=30, loss=0.0561, accuracy=0.9667]}: the metrics that apply, in full precision. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Metrics[rows=").append(rows).append(", loss=").append(loss);
    accuracy.ifPresent(a -> b.append(", accuracy=").append(a));
    mae.ifPresent(m -> b.append(", mae=").append(m));
    rmse.ifPresent(r -> b.append(", rmse=").append(r));
    return b.append(']').toString();
  }
}
