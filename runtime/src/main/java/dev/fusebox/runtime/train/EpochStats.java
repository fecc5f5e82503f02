package dev.fusebox.runtime.train;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What one epoch did.
 *
 * @param epoch the epoch, counting from 1
 * @param steps optimizer steps in this epoch (fewer than a full epoch's for the last one of a run
 *     limited by steps, or one stopped by a listener)
 * @param rows training rows seen
 * @param trainLoss the mean of the steps' losses weighted by their valid rows: the mean loss per row
 * @param lr the learning rate of the epoch's last step, or NaN if the program has no {@code lr} input
 * @param validation scores on the validation data after the epoch, if there is any
 * @param elapsed wall time of the epoch, including validation and checkpoints
 */
public record EpochStats(int epoch, int steps, long rows, double trainLoss, double lr, Optional<Metrics> validation,
    Duration elapsed) {

  /**
   * An epoch's statistics; {@code validation} and {@code elapsed} may not be null.
   *
   * @param epoch the epoch, counting from 1
   * @param steps optimizer steps in this epoch (fewer than a full epoch's for the last one of a run
   *     limited by steps, or one stopped by a listener)
   * @param rows training rows seen
   * @param trainLoss the mean of the steps' losses weighted by their valid rows: the mean loss per row
   * @param lr the learning rate of the epoch's last step, or NaN if the program has no {@code lr} input
   * @param validation scores on the validation data after the epoch, if there is any
   * @param elapsed wall time of the epoch, including validation and checkpoints
   */
  public EpochStats {
    Objects.requireNonNull(validation, "validation");
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** {@return the validation loss, or the training loss when there is no validation data: what "best" compares} */
  public double monitoredLoss() {
    return validation.map(Metrics::loss).orElse(trainLoss);
  }

  /**
   * {@return a log line such as {@code epoch 3/20  loss 0.4121  valid_loss 0.4377  valid_accuracy 0.9120  1.2 s}}
   *
   * @param epochs how many epochs the run plans in all
   */
  public String format(int epochs) {
    return "epoch " + epoch + '/' + epochs + "  " + formatScores();
  }

  /**
   * For example {@code EpochStats[epoch=3, steps=8, rows=120, trainLoss=0.41, lr=0.01, validation=Metrics[rows=30,
   * loss=0.43, accuracy=0.9], elapsed=0.012 s]}: every field in full precision, the validation without its
   * {@code Optional} wrapper ({@code none} without validation data).
   */
  @Override
  public String toString() {
    return "EpochStats[epoch=" + epoch + ", steps=" + steps + ", rows=" + rows + ", trainLoss=" + trainLoss + ", lr=" + lr
        + ", validation=" + validation.map(Metrics::toString).orElse("none") + ", elapsed=" + elapsed.toNanos() / 1e9 + " s]";
  }

  /** {@return the line of {@link #format} without its epoch: {@code loss 0.4121  valid_loss 0.4377  ...  1.2 s}} */
  public String formatScores() {
    StringBuilder b = new StringBuilder();
    b.append("loss ").append(Metrics.formatValue(trainLoss));
    validation.ifPresent(m -> b.append("  ").append(m.format("valid_")));
    b.append("  ").append(String.format(Locale.ROOT, "%.1f s", elapsed.toNanos() / 1e9));
    return b.toString();
  }
}
