package dev.fusebox.runtime.train;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a training run did.
 *
 * @param history every completed epoch, in order; an epoch cut short by a non-finite loss is not in it
 * @param bestEpoch the epoch with the lowest validation loss (training loss without validation data),
 *     counting from 1; 0 if no epoch completed. On a tie the earlier epoch is best.
 * @param stopReason why the run ended
 * @param steps optimizer steps taken, including one whose loss was not finite
 * @param elapsed wall time of the whole run
 * @param nonFinite where the loss stopped being finite, if it did
 */
public record TrainingResult(List<EpochStats> history, int bestEpoch, StopReason stopReason, long steps,
    Duration elapsed, Optional<NonFiniteLoss> nonFinite) {

  public TrainingResult {
    history = List.copyOf(history);
    Objects.requireNonNull(stopReason, "stopReason");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(nonFinite, "nonFinite");
    if (bestEpoch < 0 || bestEpoch > history.size()) {
      throw new IllegalArgumentException("best epoch " + bestEpoch + " is not one of the " + history.size() + " epochs");
    }
    if (nonFinite.isPresent() != (stopReason == StopReason.NON_FINITE_LOSS)) {
      throw new IllegalArgumentException("a non-finite loss is reported exactly when the run stopped for one");
    }
  }

  /** The best epoch's statistics, if any epoch completed. */
  public Optional<EpochStats> best() {
    return bestEpoch == 0 ? Optional.empty() : Optional.of(history.get(bestEpoch - 1));
  }

  /** The last completed epoch's statistics, if any. */
  public Optional<EpochStats> last() {
    return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
  }
}
