package dev.fusebox.runtime.simd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.runtime.FMath;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class VectorMathTest {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /**
   * The vector erf against the double-precision one on a grid of 1.2 million points over [−6, 6]: its
   * largest absolute error, measured here, is 1.45e−7 (at |x| ≈ 1, about 2.4 float ulps of erf there),
   * so GELU's error from it is at most 7.3e−8·|x|.
   */
  @Test
  void erfIsWithinItsMeasuredErrorBound() {
    float[] x = new float[S.length()], y = new float[S.length()];
    double worst = 0, at = 0;
    for (int i = -600_000; i <= 600_000; i += S.length()) {
      for (int l = 0; l < x.length; l++) x[l] = (i + l) * 1e-5f;
      VectorMath.erf(FloatVector.fromArray(S, x, 0)).intoArray(y, 0);
      for (int l = 0; l < x.length; l++) {
        double e = Math.abs(y[l] - FMath.erf(x[l]));
        if (e > worst) {
          worst = e;
          at = x[l];
        }
      }
    }
    System.out.printf("vector erf: largest absolute error %.3e at x = %.5f%n", worst, at);
    assertThat(worst).isLessThan(1.5e-7);
  }

  @Test
  void signMatchesMathSignum() {
    float[] x = {-3f, -0f, 0f, 2.5f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -1e-30f};
    float[] in = Arrays.copyOf(x, Math.max(S.length(), x.length)), out = new float[in.length];
    VectorMath.sign(FloatVector.fromArray(S, in, 0)).intoArray(out, 0);
    for (int i = 0; i < Math.min(x.length, S.length()); i++) {
      assertThat(Float.valueOf(out[i])).as("sign(%s)", x[i]).isEqualTo(Float.valueOf(Math.signum(x[i])));
    }
  }
}
