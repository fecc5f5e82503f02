package dev.fusebox.runtime.data;

import dev.fusebox.runtime.SplitMix64;
import java.util.Arrays;

/**
 * Cuts a data set into mini-batches of a fixed size {@code B}, the batch size a compiled program was
 * built for. The batch arrays are allocated once and refilled in place, so iterating allocates nothing.
 *
 * <p>An epoch visits every row exactly once, in file order or, for a shuffled batcher, in an order that
 * depends only on the seed and the epoch number: a run that resumes at epoch 7 sees the same batches
 * as one that got there from epoch 0. The last batch of an epoch may be partial: its
 * {@link #validRows()} real rows come first and the rest are zeros (labels 0), which programs ignore
 * once told the valid row count.
 *
 * <p>Not thread-safe; the arrays returned by the accessors are overwritten by the next batch.
 */
public final class Batcher {
  private final Dataset data;
  private final int batchSize;
  private final boolean shuffle;
  private final long seed;
  private final int batches;
  private final int[] order;
  private final SplitMix64 random = new SplitMix64(0);
  private final float[] features;
  private final int[] labels; // null unless the data has class labels
  private final float[] oneHot; // filled on request from labels
  private final float[] targets; // null unless the data has targets

  private long epoch;
  private int nextBatch;
  private int validRows;
  private boolean oneHotCurrent;

  private Batcher(Dataset data, int batchSize, boolean shuffle, long seed) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be positive, not " + batchSize);
    if (data.rows() == 0) throw new IllegalArgumentException("cannot batch a data set with no rows");
    this.data = data;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.batches = (data.rows() + batchSize - 1) / batchSize;
    this.order = new int[data.rows()];
    this.features = new float[Math.multiplyExact(batchSize, data.featureCount())];
    this.labels = data.hasLabels() ? new int[batchSize] : null;
    this.oneHot = data.hasLabels() ? new float[Math.multiplyExact(batchSize, data.classes())] : null;
    this.targets = data.hasTargets() ? new float[Math.multiplyExact(batchSize, data.targetCount())] : null;
    startEpoch(0);
  }

  /**
   * {@return a batcher in file order, every epoch the same}
   *
   * @param data the rows to batch, at least one
   * @param batchSize rows per batch, the program's batch size, 1 or more
   * @throws IllegalArgumentException if the batch size is less than 1 or the data has no rows
   */
  public static Batcher inOrder(Dataset data, int batchSize) {
    return new Batcher(data, batchSize, false, 0);
  }

  /**
   * {@return a batcher whose order is reshuffled for each epoch from {@code seed} and the epoch number}
   *
   * @param data the rows to batch, at least one
   * @param batchSize rows per batch, the program's batch size, 1 or more
   * @param seed the shuffling generator's whole state: the same seed gives the same orders
   * @throws IllegalArgumentException if the batch size is less than 1 or the data has no rows
   */
  public static Batcher shuffled(Dataset data, int batchSize, long seed) {
    return new Batcher(data, batchSize, true, seed);
  }

  /** {@return the rows per batch} */
  public int batchSize() {
    return batchSize;
  }

  /** {@return the batches in one epoch: {@code ceil(rows / batchSize)}, the last one possibly partial} */
  public int batchesPerEpoch() {
    return batches;
  }

  /** {@return the epoch that {@link #next()} is going through; 0 until another is started} */
  public long epoch() {
    return epoch;
  }

  /**
   * Starts epoch {@code epoch} (0-based) at its first batch; {@link #next()} then loads its batches.
   * A new batcher starts at epoch 0.
   *
   * @param epoch 0 or more
   * @throws IllegalArgumentException if {@code epoch} is negative
   */
  public void startEpoch(long epoch) {
    startEpoch(epoch, 0);
  }

  /**
   * Starts epoch {@code epoch} (0-based) at batch {@code firstBatch} (0-based), as a run resumed in the
   * middle of the epoch needs: {@link #next()} then loads the batches the interrupted run had not yet
   * taken, the same batches in the same order.
   *
   * @param epoch 0 or more
   * @param firstBatch in {@code [0, batchesPerEpoch()]}; {@code batchesPerEpoch()} starts the epoch finished
   * @throws IllegalArgumentException if either is out of range
   */
  public void startEpoch(long epoch, int firstBatch) {
    if (epoch < 0) throw new IllegalArgumentException("epoch must not be negative: " + epoch);
    if (firstBatch < 0 || firstBatch > batches) {
      throw new IllegalArgumentException("batch " + firstBatch + " is not in an epoch of " + batches + " batches");
    }
    for (int i = 0; i < order.length; i++) order[i] = i;
    if (shuffle) {
      // Restarting from file order makes the permutation a function of (seed, epoch) alone.
      random.reseed(SplitMix64.derive(seed, epoch));
      random.shuffle(order);
    }
    this.epoch = epoch;
    this.nextBatch = firstBatch;
  }

  /**
   * Loads the next batch of the current epoch.
   *
   * @return true if a batch was loaded; false, loading nothing, once the epoch is done
   */
  public boolean next() {
    if (nextBatch >= batches) return false;
    fill(nextBatch++);
    return true;
  }

  /**
   * Loads the batch for global step {@code step}, counting batches across epochs: batch
   * {@code step mod batchesPerEpoch()} of epoch {@code step / batchesPerEpoch()}. For a batcher in file
   * order that is the batch whose rows start at {@code (step mod batchesPerEpoch()) × batchSize}, so a
   * fixed number of steps wraps around the data. {@link #next()} carries on from there.
   *
   * @param step 0 or more
   * @throws IllegalArgumentException if {@code step} is negative
   */
  public void loadStep(long step) {
    if (step < 0) throw new IllegalArgumentException("step must not be negative: " + step);
    long stepEpoch = step / batches;
    if (stepEpoch != epoch) startEpoch(stepEpoch);
    nextBatch = (int) (step % batches);
    fill(nextBatch++);
  }

  /** {@return how many leading rows of the current batch are real data: {@code batchSize} except maybe in the last} */
  public int validRows() {
    return validRows;
  }

  /** {@return the current batch's features, {@code batchSize × featureCount} row-major; padding rows are zeros} */
  public float[] features() {
    return features;
  }

  /**
   * {@return the current batch's class labels, one per row; padding rows are 0}
   *
   * @throws IllegalStateException if the data set has no class labels
   */
  public int[] labels() {
    if (labels == null) throw new IllegalStateException("data set has no class labels");
    return labels;
  }

  /**
   * The current batch's labels one-hot, {@code batchSize × classes}; rows past {@link #validRows()} are
   * all zeros. Filled on the first call for each batch, so it costs nothing unless used.
   *
   * @return the batch's one-hot labels, row-major
   * @throws IllegalStateException if the data set has no class labels
   */
  public float[] oneHot() {
    if (oneHot == null) throw new IllegalStateException("data set has no class labels");
    if (!oneHotCurrent) {
      Arrays.fill(oneHot, 0f);
      int classes = data.classes();
      for (int i = 0; i < validRows; i++) oneHot[i * classes + labels[i]] = 1f;
      oneHotCurrent = true;
    }
    return oneHot;
  }

  /**
   * {@return the current batch's targets, {@code batchSize × targetCount} row-major; padding rows are zeros}
   *
   * @throws IllegalStateException if the data set has no targets
   */
  public float[] targets() {
    if (targets == null) throw new IllegalStateException("data set has no targets");
    return targets;
  }

  private void fill(int batch) {
    int start = batch * batchSize;
    int n = Math.min(batchSize, data.rows() - start);
    int d = data.featureCount();
    int t = data.targetCount();
    for (int i = 0; i < n; i++) {
      int row = order[start + i];
      data.copyFeatures(row, features, i * d);
      if (labels != null) labels[i] = data.label(row);
      if (targets != null) data.copyTargets(row, targets, i * t);
    }
    // The previous batch's rows would otherwise linger in the padding.
    Arrays.fill(features, n * d, features.length, 0f);
    if (labels != null) Arrays.fill(labels, n, batchSize, 0);
    if (targets != null) Arrays.fill(targets, n * t, targets.length, 0f);
    validRows = n;
    oneHotCurrent = false;
  }
}
