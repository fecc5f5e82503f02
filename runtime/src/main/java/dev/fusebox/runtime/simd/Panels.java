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
}
