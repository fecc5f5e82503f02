package dev.fusebox.runtime.train;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a training run did.
 *
 * @param history every epoch this run ended, in order; an epoch cut short by a non-finite loss is not in it.
 *     A run that resumes another starts with the epoch it resumed in.
 * @param bestEpoch the complete epoch with the lowest validation loss (training loss without validation
 *     data), counting from 1; 0 if no epoch completed (one cut short does not count). On a tie the
 *     earlier epoch is best. After a resume it may be an epoch of an earlier run, and so not in the history.
 * @param stopReason why the run ended
 * @param steps optimizer steps this run took, including one whose loss was not finite (the count across
 *     resumed runs is the state's)
 * @param elapsed wall time of the whole run
 * @param nonFinite where the loss stopped being finite, if it did
 * @param state where training stands at the end, to save beside the optimizer state and resume from
 *     ({@link Trainer.Builder#resume})
 */
public record TrainingResult(List<EpochStats> history, int bestEpoch, StopReason stopReason, long steps,
    Duration elapsed, Optional<NonFiniteLoss> nonFinite, TrainingState state) {

  /**
   * A run's result; lists are copied.
   *
   * @param history every epoch this run ended, in order; an epoch cut short by a non-finite loss is not in it.
   *     A run that resumes another starts with the epoch it resumed in.
   * @param bestEpoch the complete epoch with the lowest validation loss (training loss without validation
   *     data), counting from 1; 0 if no epoch completed (one cut short does not count). On a tie the
   *     earlier epoch is best. After a resume it may be an epoch of an earlier run, and so not in the history.
   * @param stopReason why the run ended
   * @param steps optimizer steps this run took, including one whose loss was not finite (the count across
   *     resumed runs is the state's)
   * @param elapsed wall time of the whole run
   * @param nonFinite where the loss stopped being finite, if it did
   * @param state where training stands at the end, to save beside the optimizer state and resume from
   *     ({@link Trainer.Builder#resume})
   * @throws IllegalArgumentException if the best epoch is not one up to the last, or {@code nonFinite} is
   *     present but the stop reason is not {@link StopReason#NON_FINITE_LOSS} or the other way round
   */
  public TrainingResult {
    history = List.copyOf(history);
    Objects.requireNonNull(stopReason, "stopReason");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(nonFinite, "nonFinite");
    Objects.requireNonNull(state, "state");
    int lastEpoch = history.isEmpty() ? state.epochsDone() + 1 : history.get(history.size() - 1).epoch();
    if (bestEpoch < 0 || bestEpoch > lastEpoch) {
      throw new IllegalArgumentException("best epoch " + bestEpoch + " is not one of the epochs up to " + lastEpoch);
    }
    if (nonFinite.isPresent() != (stopReason == StopReason.NON_FINITE_LOSS)) {
      throw new IllegalArgumentException("a non-finite loss is reported exactly when the run stopped for one");
    }
  }

  /** {@return the best epoch's statistics, if any epoch completed and the best is one of this run's} */
  public Optional<EpochStats> best() {
    return history.stream().filter(e -> e.epoch() == bestEpoch).findFirst();
  }

  /** {@return the last epoch's statistics, if any} */
  public Optional<EpochStats> last() {
    return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
  }
}
