package dev.fusebox.runtime.train;

import dev.fusebox.runtime.Program;

/**
 * Where a {@link GradientWorker} gets the rows of a global batch's micro-batches: in one JVM, slices
 * of the batch the trainer loaded ({@link DataParallelProgram}); in a cluster, the rows a task holds
 * for that step, chosen by a stable row index rather than by how the data happens to be partitioned.
 */
@FunctionalInterface
public interface MicroBatchSource {
  /**
   * Copies micro-batch {@code microBatch}'s rows into {@code program}'s data inputs (features, labels,
   * targets): its valid rows first, then zeros, so that what a program sees is a function of the
   * micro-batch's index alone. The worker sets the valid rows, the loss scale and the step itself.
   *
   * @param microBatch the micro-batch, by global index within its batch
   * @param program the gradient program to fill
   */
  void load(int microBatch, Program program);
}
