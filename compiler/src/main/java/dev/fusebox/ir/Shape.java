package dev.fusebox.ir;

import java.util.Arrays;

/**
 * A static tensor shape of rank 0 (scalar), 1 (vector) or 2 (matrix), every dimension positive.
 * Broadcasting follows NumPy: shapes are aligned at their trailing dimension and a dimension of 1
 * (or a missing one) stretches. Viewed as a matrix, a vector {@code [n]} is one row {@code [1, n]}.
 */
public final class Shape {
  private static final Shape SCALAR = new Shape(new int[0]);
  private final int[] dims;

  private Shape(int[] dims) {
    this.dims = dims;
  }

  public static Shape scalar() {
    return SCALAR;
  }

  /** A shape of rank 0–2 with positive dimensions; anything else is an {@link IllegalArgumentException}. */
  public static Shape of(int... dims) {
    if (dims.length > 2) {
      throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has rank " + dims.length + "; Fusebox supports rank 0, 1 and 2");
    }
    long elements = 1;
    for (int d : dims) {
      if (d <= 0) throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a non-positive dimension");
      elements *= d;
    }
    if (elements > MAX_ELEMENTS) {
      throw new IllegalArgumentException(String.format("shape %s has %,d elements; a tensor holds at most %,d (a Java array's limit)",
          Arrays.toString(dims), elements, MAX_ELEMENTS));
    }
    return dims.length == 0 ? SCALAR : new Shape(dims.clone());
  }

  /**
   * The most elements a tensor may have: Java arrays are indexed by int, and generated code pads each
   * array by one vector.
   */
  public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 1024;

  /** The shape {@link #toString()} printed: {@code [2, 3]}, {@code []}. */
  public static Shape parse(String text) {
    String inner = text.trim();
    if (!inner.startsWith("[") || !inner.endsWith("]")) throw new IllegalArgumentException("bad shape '" + text + "'");
    inner = inner.substring(1, inner.length() - 1).trim();
    if (inner.isEmpty()) return scalar();
    String[] parts = inner.split(",");
    int[] dims = new int[parts.length];
    for (int i = 0; i < dims.length; i++) {
      try {
        dims[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad shape '" + text + "'");
      }
    }
    return of(dims);
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int i) {
    return dims[i];
  }

  public int[] dims() {
    return dims.clone();
  }

  /** Number of elements. */
  public int size() {
    int n = 1;
    for (int d : dims) n *= d;
    return n;
  }

  /** Rows when viewed as a matrix: 1 for scalars and vectors. */
  public int rows() {
    return dims.length == 2 ? dims[0] : 1;
  }

  /** Columns when viewed as a matrix: 1 for scalars. */
  public int cols() {
    return dims.length == 0 ? 1 : dims[dims.length - 1];
  }

  public boolean isScalar() {
    return size() == 1 && dims.length == 0;
  }

  /** The NumPy broadcast of two shapes, or {@code null} if they do not broadcast. */
  public static Shape broadcast(Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < a.rank() ? a.dims[a.rank() - 1 - i] : 1;
      int db = i < b.rank() ? b.dims[b.rank() - 1 - i] : 1;
      if (da != db && da != 1 && db != 1) return null;
      out[rank - 1 - i] = Math.max(da, db);
    }
    return of(out);
  }

  /** True if this shape broadcasts to {@code target} without changing {@code target}. */
  public boolean broadcastsTo(Shape target) {
    return target.equals(broadcast(this, target));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
