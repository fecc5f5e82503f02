package dev.fusebox.ir;

import java.util.Arrays;

/**
 * The interpreter's storage for one node's value: float32 or float64 for floats, int32 for labels.
 * Reference semantics read and write through {@link #get}/{@link #set} in double precision; a float32
 * buffer rounds on every store, so a float32 run keeps float32 values between ops.
 */
public final class Buffer {
  private final Shape shape;
  private final float[] f;
  private final double[] d;
  private final int[] ints;

  private Buffer(Shape shape, float[] f, double[] d, int[] ints) {
    this.shape = shape;
    this.f = f;
    this.d = d;
    this.ints = ints;
  }

  /** A zeroed buffer: int32 for {@link DType#I32}, otherwise float64 if {@code wide} else float32. */
  public static Buffer allocate(Shape shape, DType dtype, boolean wide) {
    int n = shape.size();
    if (dtype == DType.I32) return new Buffer(shape, null, null, new int[n]);
    return wide ? new Buffer(shape, null, new double[n], null) : new Buffer(shape, new float[n], null, null);
  }

  public Shape shape() {
    return shape;
  }

  public int size() {
    return shape.size();
  }

  public boolean isWide() {
    return d != null;
  }

  /** True for an int32 (labels) buffer. */
  public boolean isInt() {
    return ints != null;
  }

  public double get(int i) {
    return d != null ? d[i] : f != null ? f[i] : ints[i];
  }

  public void set(int i, double v) {
    if (d != null) d[i] = v;
    else if (f != null) f[i] = (float) v;
    else ints[i] = (int) v;
  }

  public int label(int i) {
    return ints[i];
  }

  /** Element (r, c) of the matrix view (vectors are one row, scalars 1×1). */
  public double get(int r, int c) {
    return get(r * shape.cols() + c);
  }

  public void set(int r, int c, double v) {
    set(r * shape.cols() + c, v);
  }

  public void fill(double v) {
    if (d != null) Arrays.fill(d, v);
    else if (f != null) Arrays.fill(f, (float) v);
    else Arrays.fill(ints, (int) v);
  }

  public void copyFrom(Buffer other) {
    for (int i = 0; i < size(); i++) set(i, other.get(i));
  }

  public void copyFrom(float[] values) {
    for (int i = 0; i < values.length; i++) set(i, values[i]);
  }

  public void copyFrom(double[] values) {
    for (int i = 0; i < values.length; i++) set(i, values[i]);
  }

  public void copyLabels(int[] labels) {
    System.arraycopy(labels, 0, ints, 0, labels.length);
  }

  public float[] toFloats() {
    float[] out = new float[size()];
    for (int i = 0; i < out.length; i++) out[i] = (float) get(i);
    return out;
  }

  public double[] toDoubles() {
    double[] out = new double[size()];
    for (int i = 0; i < out.length; i++) out[i] = get(i);
    return out;
  }
}
