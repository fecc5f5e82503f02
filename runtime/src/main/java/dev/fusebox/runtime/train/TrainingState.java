package dev.fusebox.runtime.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a training run stands, everything besides the program's tensors that a later run needs to go
 * on exactly as if it had never stopped: saved beside the optimizer state (in the metadata of a model's
 * or a checkpoint's {@code .optimizer.safetensors}) and handed to {@link Trainer.Builder#resume}.
 *
 * <p>That is the position in the data (whole epochs done, and batches done of the epoch under way), the
 * steps taken (a {@link Schedule} is a function of the epoch and the step, so these are its state),
 * the program's step count (which seeds dropout), what the shuffled order depends on (each epoch's order
 * is drawn from the seed and the epoch number, so the seed is the shuffling generator's whole state),
 * the partial epoch's loss so far, and early stopping's bookkeeping.
 *
 * @param epochsDone whole epochs done: the 0-based index of the epoch under way or next
 * @param batchesDone batches done of that epoch; 0 at an epoch's end
 * @param step optimizer steps the training has taken, across every run that continued it
 * @param programSteps the program's {@link dev.fusebox.runtime.Program#stepCount() step count}
 * @param batchSize the batch size the batches were cut with
 * @param rows rows of the training data
 * @param shuffle whether batches were shuffled
 * @param seed the shuffling seed
 * @param epochLossSum the partial epoch's sum of losses weighted by valid rows; 0 at an epoch's end
 * @param epochRows the partial epoch's rows; 0 at an epoch's end
 * @param bestEpoch the best epoch so far (1-based), 0 if none
 * @param bestLoss its monitored loss, or infinity
 * @param earlyStopReference the monitored loss of the last significant improvement, or infinity
 * @param epochsWithoutImprovement epochs since then
 */
public record TrainingState(int epochsDone, int batchesDone, long step, long programSteps, int batchSize, int rows,
    boolean shuffle, long seed, double epochLossSum, long epochRows, int bestEpoch, double bestLoss, double earlyStopReference,
    int epochsWithoutImprovement) {

  /** The metadata keys, in the order they are written; every one starts with {@code training_}. */
  public static final List<String> KEYS = List.of("training_epochs_done", "training_batches_done", "training_step",
      "training_program_steps", "training_batch_size", "training_rows", "training_shuffle", "training_seed",
      "training_epoch_loss_sum", "training_epoch_rows", "training_best_epoch", "training_best_loss",
      "training_early_stop_reference", "training_epochs_without_improvement");

  /**
   * A training state.
   *
   * @param epochsDone whole epochs done: the 0-based index of the epoch under way or next
   * @param batchesDone batches done of that epoch; 0 at an epoch's end
   * @param step optimizer steps the training has taken, across every run that continued it
   * @param programSteps the program's {@link dev.fusebox.runtime.Program#stepCount() step count}
   * @param batchSize the batch size the batches were cut with
   * @param rows rows of the training data
   * @param shuffle whether batches were shuffled
   * @param seed the shuffling seed
   * @param epochLossSum the partial epoch's sum of losses weighted by valid rows; 0 at an epoch's end
   * @param epochRows the partial epoch's rows; 0 at an epoch's end
   * @param bestEpoch the best epoch so far (1-based), 0 if none
   * @param bestLoss its monitored loss, or infinity
   * @param earlyStopReference the monitored loss of the last significant improvement, or infinity
   * @param epochsWithoutImprovement epochs since then
   * @throws IllegalArgumentException if a count is negative, or the batch size or rows are below 1
   */
  public TrainingState {
    if (epochsDone < 0 || batchesDone < 0 || step < 0 || programSteps < 0 || batchSize < 1 || rows < 1 || epochRows < 0
        || bestEpoch < 0 || epochsWithoutImprovement < 0) {
      throw new IllegalArgumentException("a training state's counts cannot be negative, nor its batch size or rows below 1: "
          + "epochs done " + epochsDone + ", batches done " + batchesDone + ", step " + step + ", program steps " + programSteps
          + ", batch size " + batchSize + ", rows " + rows + ", epoch rows " + epochRows + ", best epoch " + bestEpoch
          + ", epochs without improvement " + epochsWithoutImprovement);
    }
  }

  /** {@return whether the run stopped inside an epoch, so that resuming it must see the same batches} */
  public boolean midEpoch() {
    return batchesDone > 0;
  }

  /** {@return the state as metadata strings, under {@link #KEYS}; numbers as Java prints them, which read back exactly} */
  public Map<String, String> toMetadata() {
    Object[] values = {epochsDone, batchesDone, step, programSteps, batchSize, rows, shuffle, seed, epochLossSum, epochRows,
        bestEpoch, bestLoss, earlyStopReference, epochsWithoutImprovement};
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) m.put(KEYS.get(i), String.valueOf(values[i]));
    return m;
  }

  /**
   * {@return the state the metadata records, or none if it records none (a file written without a training run)}
   *
   * @param metadata a file's metadata strings
   * @throws IllegalArgumentException naming the key whose value is missing or not what it should be
   */
  public static Optional<TrainingState> fromMetadata(Map<String, String> metadata) {
    if (KEYS.stream().noneMatch(metadata::containsKey)) return Optional.empty();
    Reader r = new Reader(metadata);
    return Optional.of(new TrainingState(r.integer(0), r.integer(1), r.count(2), r.count(3), r.integer(4), r.integer(5), r.bool(6),
        r.count(7), r.number(8), r.count(9), r.integer(10), r.number(11), r.number(12), r.integer(13)));
  }

  /** Reads the values of {@link #KEYS} by index, with errors that name the key. */
  private record Reader(Map<String, String> metadata) {
    String text(int i) {
      String v = metadata.get(KEYS.get(i));
      if (v == null) throw new IllegalArgumentException("metadata key '" + KEYS.get(i) + "' is missing; the training position "
          + "is incomplete");
      return v;
    }

    long count(int i) {
      try {
        return Long.parseLong(text(i));
      } catch (NumberFormatException e) {
        throw bad(i, "an integer");
      }
    }

    int integer(int i) {
      long v = count(i);
      if (v != (int) v) throw bad(i, "an integer of at most " + Integer.MAX_VALUE);
      return (int) v;
    }

    double number(int i) {
      String v = text(i);
      if (!v.matches("-?(Infinity|\\d+\\.\\d+(E-?\\d+)?|NaN)")) throw bad(i, "a number as Java prints a double");
      return Double.parseDouble(v);
    }

    boolean bool(int i) {
      String v = text(i);
      if (!v.equals("true") && !v.equals("false")) throw bad(i, "true or false");
      return v.equals("true");
    }

    IllegalArgumentException bad(int i, String expected) {
      return new IllegalArgumentException("metadata key '" + KEYS.get(i) + "' is '" + metadata.get(KEYS.get(i)) + "', not "
          + expected);
    }
  }
}
