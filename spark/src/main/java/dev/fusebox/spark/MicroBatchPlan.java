package dev.fusebox.spark;

import dev.fusebox.runtime.SplitMix64;
import java.io.Serializable;

/**
 * Who computes what in data-parallel training, as a pure function of the row count, the batch sizes, the
 * worker count, the shuffling seed and the epoch, so that no answer depends on how Spark partitioned the
 * data or on who asked first.
 *
 * <p>Epoch {@code e} visits the rows (by their stable index 0..n−1) in the order a {@code Batcher} of
 * the same seed gives (file order without shuffling): global batch {@code s} is positions
 * [s·B, min((s+1)·B, n)) of that order, cut into micro-batches of {@code M} rows, the last possibly
 * partial. Worker {@code w} of {@code W} owns the contiguous range of micro-batch indices
 * [w·K/W, (w+1)·K/W) of every global batch, where K = ⌈B/M⌉ (clipped to the micro-batches a partial
 * last batch has), so its partial sums are nodes of the {@code ReductionTree}'s cover of that range.
 *
 * @param rows rows of the training data
 * @param batch rows of a global batch (the spec's batch)
 * @param micro rows of a micro-batch
 * @param workers workers (barrier tasks)
 * @param shuffle whether each epoch visits the rows in a new seeded order
 * @param seed the shuffling seed
 */
record MicroBatchPlan(int rows, int batch, int micro, int workers, boolean shuffle, long seed) implements Serializable {
  MicroBatchPlan {
    if (rows < 1) throw new IllegalArgumentException("the training data has no rows");
    if (micro < 1 || micro > batch) {
      throw new IllegalArgumentException("the micro-batch must be 1 to the batch's " + batch + " rows, not " + micro);
    }
    int k = (batch + micro - 1) / micro;
    if (workers < 1 || workers > k) {
      throw new IllegalArgumentException(workers + " workers for " + k + " micro-batches of " + micro + " rows per batch of "
          + batch + ": give each worker at least one micro-batch (fewer partitions, or a smaller micro-batch)");
    }
  }

  /** Micro-batches of a full global batch. */
  int microBatchesPerBatch() {
    return (batch + micro - 1) / micro;
  }

  /** Global batches (optimizer steps) of an epoch, the last possibly partial. */
  int stepsPerEpoch() {
    return (rows + batch - 1) / batch;
  }

  /** Valid rows of global batch {@code step} (within an epoch). */
  int rowsOf(int step) {
    return Math.min(batch, rows - step * batch);
  }

  /** Micro-batches of global batch {@code step}. */
  int microBatchesOf(int step) {
    return (rowsOf(step) + micro - 1) / micro;
  }

  /** The first micro-batch worker {@code w} owns in a full batch; {@code firstOwned(w + 1)} ends its range. */
  int firstOwned(int worker) {
    return (int) ((long) worker * microBatchesPerBatch() / workers);
  }

  /** The worker that computes the micro-batch holding epoch position {@code position}. */
  int owner(int position) {
    int m = (position % batch) / micro;
    // The inverse of firstOwned: the largest w with firstOwned(w) <= m.
    int w = (int) (((long) m * workers + workers - 1) / microBatchesPerBatch());
    while (w > 0 && firstOwned(w) > m) w--;
    while (w + 1 < workers && firstOwned(w + 1) <= m) w++;
    return w;
  }

  /** The row at each position of epoch {@code epoch}: the order a shuffled {@code Batcher} of this seed visits. */
  int[] order(long epoch) {
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) order[i] = i;
    if (shuffle) {
      SplitMix64 random = new SplitMix64(0);
      random.reseed(SplitMix64.derive(seed, epoch));
      random.shuffle(order);
    }
    return order;
  }

  /** Each row's position in epoch {@code epoch}: the inverse of {@link #order}. */
  int[] positions(long epoch) {
    int[] order = order(epoch);
    int[] positions = new int[rows];
    for (int p = 0; p < rows; p++) positions[order[p]] = p;
    return positions;
  }
}
