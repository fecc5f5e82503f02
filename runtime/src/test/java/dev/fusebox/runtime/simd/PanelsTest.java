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
}
