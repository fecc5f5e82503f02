package dev.fusebox.runtime.simd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every element lands where the layout formula says, for shapes with partial panels and row tails. */
class PanelsTest {
  @ParameterizedTest
  @CsvSource({"1, 1, 4", "3, 5, 4", "9, 7, 4", "70, 130, 64", "130, 70, 64", "6, 11, 6"})
  void packAndTransposeLayColumnsOutInPanels(int rows, int cols, int width) {
    float[] src = new float[rows * cols];
    for (int i = 0; i < src.length; i++) src[i] = i + 1;
    int panels = (cols + width - 1) / width;
    float[] packed = new float[panels * width * rows];
    Panels.pack(src, rows, cols, packed, width);
    for (int p = 0; p < rows; p++) {
      for (int j = 0; j < cols; j++) assertThat(packed[j / width * rows * width + p * width + j % width]).isEqualTo(src[p * cols + j]);
    }
    // the transpose of src has cols rows and rows columns; in panels of `width` of its columns
    int tPanels = (rows + width - 1) / width;
    float[] t = new float[tPanels * width * cols];
    Panels.transpose(src, rows, cols, t, width);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) assertThat(t[r / width * cols * width + c * width + r % width]).isEqualTo(src[r * cols + c]);
    }
    float[] plain = new float[rows * cols];
    Panels.transpose(src, rows, cols, plain, rows);
    for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) assertThat(plain[c * rows + r]).isEqualTo(src[r * cols + c]);
  }

  /**
   * The rows of A, stored transposed ({@code k} × {@code m}), packed in micro-panels of four: element
   * (i, p) of A at {@code (i / 4)·4k + p·4 + i % 4} for every row of a whole four, in passes of sixteen
   * and of four rows, and nothing written past them.
   */
  @ParameterizedTest
  @CsvSource({"1, 4", "3, 7", "5, 16", "64, 20", "300, 21", "129, 37", "2, 70"})
  void packRowsLaysOutWholeFoursOfRows(int k, int m) {
    float[] at = new float[k * m];
    for (int x = 0; x < at.length; x++) at[x] = x + 1;
    int whole = m / 4 * 4;
    float[] dst = new float[m * k + 3];
    java.util.Arrays.fill(dst, Float.NaN);
    Panels.packRows(at, k, m, dst);
    for (int i = 0; i < whole; i++) {
      for (int p = 0; p < k; p++) assertThat(dst[i / 4 * 4 * k + p * 4 + i % 4]).as("A[%d][%d]", i, p).isEqualTo(at[p * m + i]);
    }
    for (int x = whole * k; x < dst.length; x++) assertThat(dst[x]).as("past the whole micro-panels, at %d", x).isNaN();
  }
}
