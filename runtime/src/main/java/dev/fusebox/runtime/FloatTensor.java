package dev.fusebox.runtime;

import java.util.Arrays;

/**
 * A dense row-major float32 tensor: a shape and its values. The arrays are owned by this object: the
 * constructor and the accessors share them, {@link #of} copies.
 *
 * @param shape the dimensions, none negative ({@code []} for a scalar)
 * @param data the values, row-major, as many as the shape holds
 */
public record FloatTensor(int[] shape, float[] data) {

  /**
   * A tensor over these arrays, not copied.
   *
   * @param shape the dimensions, none negative ({@code []} for a scalar)
   * @param data the values, row-major, as many as the shape holds
   * @throws IllegalArgumentException if a dimension is negative or {@code data} does not have the shape's size
   */
  public FloatTensor {
    long n = 1;
    for (int d : shape) {
      if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
    }
  }

  /**
   * {@return a tensor over copies of {@code data} and {@code shape}}
   *
   * @param data the values, row-major
   * @param shape the dimensions, whose product is {@code data.length}
   * @throws IllegalArgumentException if a dimension is negative or the sizes differ
   */
  public static FloatTensor of(float[] data, int... shape) {
    return new FloatTensor(shape.clone(), data.clone());
  }

  /** {@return the number of values} */
  public int size() {
    return data.length;
  }

  /** {@return the shape as text, {@code [32, 10]}} */
  public String shapeString() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "FloatTensor" + Arrays.toString(shape);
  }
}
