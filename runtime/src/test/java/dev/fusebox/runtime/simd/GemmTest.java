package dev.fusebox.runtime.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each micro-kernel against a plain triple loop in double, with A read both row- and column-major. */
class GemmTest {
  static final int L = FloatVector.SPECIES_PREFERRED.length();

  @ParameterizedTest
  @CsvSource({"1", "2", "7", "64", "300"})
  void everyKernelComputesItsTile(int k) {
    Random r = new Random(k);
    int rows = 6, cols = 7 * L;
    float[] a = new float[rows * k + L], b = new float[k * cols + L];
    for (int i = 0; i < rows * k; i++) a[i] = (float) r.nextGaussian();
    for (int i = 0; i < k * cols; i++) b[i] = (float) r.nextGaussian();
    float[] aT = new float[k * rows + L]; // the same A, stored transposed
    for (int i = 0; i < rows; i++) for (int p = 0; p < k; p++) aT[p * rows + i] = a[i * k + p];
    int stride = Gemm.TILE_VECTORS * L;
    for (boolean transposed : new boolean[] {false, true}) {
      float[] src = transposed ? aT : a;
      int i0 = 1, j0 = L;
      int aOff = transposed ? i0 : i0 * k, ars = transposed ? 1 : k, acs = transposed ? rows : 1;
      float[] t = new float[Gemm.tileSize() + 3];
      Gemm.tile4x6(src, aOff, ars, acs, b, j0, cols, k, t, 3);
      check(a, b, k, cols, t, 3, stride, i0, j0, 4, 6 * L);
      Gemm.tile1x6(src, aOff, acs, b, j0, cols, k, t, 0);
      check(a, b, k, cols, t, 0, stride, i0, j0, 1, 6 * L);
      Gemm.tile4x4(src, aOff, ars, acs, b, j0, cols, k, t, 3);
      check(a, b, k, cols, t, 3, stride, i0, j0, 4, 4 * L);
      Gemm.tile4x1(src, aOff, ars, acs, b, j0, cols, k, t, 0);
      check(a, b, k, cols, t, 0, stride, i0, j0, 4, L);
      Gemm.tile1x4(src, aOff, acs, b, j0, cols, k, t, 0);
      check(a, b, k, cols, t, 0, stride, i0, j0, 1, 4 * L);
      Gemm.tile1x1(src, aOff, acs, b, j0, cols, k, t, 0);
      check(a, b, k, cols, t, 0, stride, i0, j0, 1, L);
    }
  }

  private static void check(float[] a, float[] b, int k, int cols, float[] t, int tOff, int stride, int i0, int j0, int rows, int width) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < width; j++) {
        double expected = 0;
        for (int p = 0; p < k; p++) expected += (double) a[(i0 + i) * k + p] * b[p * cols + j0 + j];
        assertThat((double) t[tOff + i * stride + j]).as("C[%d][%d], k=%d", i0 + i, j0 + j, k)
            .isCloseTo(expected, within(1e-5 * k + 1e-6));
      }
    }
  }
}
