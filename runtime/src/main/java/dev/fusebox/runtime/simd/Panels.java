package dev.fusebox.runtime.simd;

/**
 * The copies generated matmuls make before their tiles run: B into panels of one tile's columns
 * (each panel's rows contiguous, so that a tile streams it from cache), and transposes. Plain Java, no
 * Vector API, so that scalar programs can use them too.
 */
public final class Panels {
  private Panels() {}

  /**
   * Copies {@code src} ({@code rows} × {@code cols}, row-major) into panels of {@code width} columns,
   * each panel's rows contiguous: element (p, j) goes to {@code (j / width)·rows·width + p·width + j % width}.
   * Columns past {@code cols} in the last panel are not written.
   */
  public static void pack(float[] src, int rows, int cols, float[] dst, int width) {
    for (int j0 = 0; j0 < cols; j0 += width) {
      int w = Math.min(width, cols - j0);
      for (int p = 0; p < rows; p++) System.arraycopy(src, p * cols + j0, dst, j0 * rows + p * width, w);
    }
  }

  /**
   * Copies the transpose of {@code src} ({@code rows} × {@code cols}, row-major) into panels of
   * {@code width} columns as {@link #pack} lays them out: element (r, c) of {@code src} goes to
   * {@code (r / width)·cols·width + c·width + r % width}; {@code width = rows} is a plain row-major
   * transpose. Four rows of {@code src} at a time, so that reads run along four rows and each step
   * writes four adjacent floats: twice as fast as 16 × 16 blocks, measured at 256 × 784 and 1024².
   */
  public static void transpose(float[] src, int rows, int cols, float[] dst, int width) {
    for (int r0 = 0; r0 < rows; r0 += width) {
      int w = Math.min(width, rows - r0), base = r0 * cols;
      int r = 0;
      for (; r + 4 <= w; r += 4) {
        int s = (r0 + r) * cols, d = base + r;
        for (int c = 0; c < cols; c++, d += width) {
          dst[d] = src[s + c];
          dst[d + 1] = src[s + cols + c];
          dst[d + 2] = src[s + 2 * cols + c];
          dst[d + 3] = src[s + 3 * cols + c];
        }
      }
      for (; r < w; r++) {
        int s = (r0 + r) * cols, d = base + r;
        for (int c = 0; c < cols; c++, d += width) dst[d] = src[s + c];
      }
    }
  }

  /**
   * Packs the rows of A from {@code at}, A stored transposed ({@code k} × {@code m}, row-major, as the
   * operand of a matmul with a transposed A is), into micro-panels of four rows: element (i, p) of A
   * goes to {@code (i / 4)·4k + p·4 + i % 4}, the layout {@link #pack} gives with width 4, so that a
   * tile reads one step of its four rows as four adjacent floats. Only whole groups of four rows are
   * packed ({@code m / 4 · 4} of them); the rows left are read from {@code at} where they are. Sixteen
   * rows (a cache line of {@code at}) go to four micro-panels in one pass, so that every line of
   * {@code at} is read once and each micro-panel is written in order: the row-major copy this replaces wrote a new
   * line every four values and took about a quarter of a 1024³ matmul's time.
   */
  public static void packRows(float[] at, int k, int m, float[] dst) {
    int whole = m / 4 * 4, i0 = 0;
    for (; i0 + 16 <= whole; i0 += 16) {
      int d = i0 * k;
      for (int p = 0, s = i0; p < k; p++, s += m, d += 4) {
        dst[d] = at[s];
        dst[d + 1] = at[s + 1];
        dst[d + 2] = at[s + 2];
        dst[d + 3] = at[s + 3];
        dst[d + 4 * k] = at[s + 4];
        dst[d + 4 * k + 1] = at[s + 5];
        dst[d + 4 * k + 2] = at[s + 6];
        dst[d + 4 * k + 3] = at[s + 7];
        dst[d + 8 * k] = at[s + 8];
        dst[d + 8 * k + 1] = at[s + 9];
        dst[d + 8 * k + 2] = at[s + 10];
        dst[d + 8 * k + 3] = at[s + 11];
        dst[d + 12 * k] = at[s + 12];
        dst[d + 12 * k + 1] = at[s + 13];
        dst[d + 12 * k + 2] = at[s + 14];
        dst[d + 12 * k + 3] = at[s + 15];
      }
    }
    for (; i0 < whole; i0 += 4) {
      int d = i0 * k;
      for (int p = 0, s = i0; p < k; p++, s += m, d += 4) {
        dst[d] = at[s];
        dst[d + 1] = at[s + 1];
        dst[d + 2] = at[s + 2];
        dst[d + 3] = at[s + 3];
      }
    }
  }
}
