package dev.fusebox.runtime;

import java.util.Arrays;

/** The checks of copying a batch's leading rows in or out ({@link Program#setInputRows}, {@link Program#readRows}), in one place. */
final class BatchRows {
  private BatchRows() {}

  /**
   * The values per row of a value shaped {@code [batch, ...]}; else an exception naming it. {@code kind}
   * ({@code input}, {@code value}) and {@code name} name it in the message.
   */
  static int width(String kind, String name, int[] shape, int batch) {
    if (shape.length == 0 || shape[0] != batch) {
      throw new IllegalArgumentException(kind + " '" + name + "' of shape " + Arrays.toString(shape) + " does not run along the batch of "
          + batch + " rows; copy it whole");
    }
    int width = 1;
    for (int d = 1; d < shape.length; d++) width *= shape[d];
    return width;
  }

  /** Checks that {@code rows} rows of {@code width} values fit the batch and, from {@code offset}, an array of {@code length}. */
  static void check(String kind, String name, int rows, int batch, int width, int length, int offset) {
    if (rows < 0 || rows > batch) {
      throw new IllegalArgumentException(kind + " '" + name + "': rows must be in [0, " + batch + "], got " + rows);
    }
    if (offset < 0) throw new IllegalArgumentException(kind + " '" + name + "': the offset must not be negative, got " + offset);
    long end = (long) offset + (long) rows * width;
    if (end > length) {
      throw new IllegalArgumentException(kind + " '" + name + "': " + rows + " rows of " + width + " values from offset " + offset
          + " need an array of at least " + end + " values, got " + length);
    }
  }
}
