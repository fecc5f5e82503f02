package dev.fusebox.onnx;

import dev.fusebox.ir.Shape;
import java.util.Arrays;

/**
 * A shape whose dimensions are either fixed or the batch: the graph's static shape, with the
 * dimensions that grow with the number of rows marked. The batch dimensions are written as the
 * symbolic {@code batch} in the ONNX model, so that it runs on any number of rows.
 *
 * @param sizes the static sizes, as the graph was built
 * @param batch for each dimension, whether it is the batch
 */
record Dims(int[] sizes, boolean[] batch) {

  Dims {
    if (sizes.length != batch.length) throw new IllegalArgumentException("sizes and batch flags differ in rank");
    sizes = sizes.clone();
    batch = batch.clone();
  }

  /** A shape with every dimension fixed. */
  static Dims fixed(Shape shape) {
    return new Dims(shape.dims(), new boolean[shape.rank()]);
  }

  /** A shape whose first dimension is the batch. */
  static Dims batched(Shape shape) {
    boolean[] b = new boolean[shape.rank()];
    if (b.length > 0) b[0] = true;
    return new Dims(shape.dims(), b);
  }

  int rank() {
    return sizes.length;
  }

  int size(int i) {
    return sizes[i];
  }

  boolean isBatch(int i) {
    return batch[i];
  }

  /** Whether any dimension is the batch. */
  boolean hasBatch() {
    for (boolean b : batch) if (b) return true;
    return false;
  }

  /** The dimensions in the other order (of a matrix). */
  Dims transposed() {
    return new Dims(new int[] {sizes[1], sizes[0]}, new boolean[] {batch[1], batch[0]});
  }

  /**
   * The NumPy broadcast of two shapes, aligned at their trailing dimension; null if a batch dimension
   * meets a fixed one larger than 1, which would broadcast only while the batch has that size.
   */
  static Dims broadcast(Dims a, Dims b) {
    int rank = Math.max(a.rank(), b.rank());
    int[] sizes = new int[rank];
    boolean[] batch = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
      int sa = ia < 0 ? 1 : a.sizes[ia], sb = ib < 0 ? 1 : b.sizes[ib];
      boolean ba = ia >= 0 && a.batch[ia], bb = ib >= 0 && b.batch[ib];
      if (ba != bb && (ba ? sb : sa) != 1) return null;
      sizes[i] = Math.max(sa, sb);
      batch[i] = ba || bb;
    }
    return new Dims(sizes, batch);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dims d && Arrays.equals(sizes, d.sizes) && Arrays.equals(batch, d.batch);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(sizes) + Arrays.hashCode(batch);
  }

  /** {@code [batch, 4]}, as error messages and the command line show a shape. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < sizes.length; i++) b.append(i == 0 ? "" : ", ").append(batch[i] ? "batch" : Integer.toString(sizes[i]));
    return b.append(']').toString();
  }
}
