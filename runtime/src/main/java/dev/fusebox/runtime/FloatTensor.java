package dev.fusebox.runtime;

import java.util.Arrays;

/** A dense row-major float32 tensor: a shape and its values. The arrays are owned by this object. */
public record FloatTensor(int[] shape, float[] data) {

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

  public static FloatTensor of(float[] data, int... shape) {
    return new FloatTensor(shape.clone(), data.clone());
  }

  /** Number of values. */
  public int size() {
    return data.length;
  }

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
