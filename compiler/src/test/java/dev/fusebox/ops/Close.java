package dev.fusebox.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.fusebox.interp.Interpreter.Precision;
import java.util.Arrays;

/**
 * Relative-tolerance comparisons. A float64 run must agree with an independently computed value to
 * 1e-12 relative; a float32 run, which rounds every stored value, to 1e-6. An expected 0 must be met
 * exactly (the tolerance scales with the expected magnitude).
 */
public final class Close {
  public static final double F64 = 1e-12;
  public static final double F32 = 1e-6;

  private Close() {}

  /** The relative tolerance for a run in {@code p}. */
  public static double tol(Precision p) {
    return p == Precision.FLOAT64 ? F64 : F32;
  }

  /** Asserts |actual − expected| ≤ rel·|expected| element by element. */
  public static void assertClose(double[] actual, double rel, double... expected) {
    assertThat(actual).as("number of values").hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i])
          .as("element %d of %s, expected %s", i, Arrays.toString(actual), Arrays.toString(expected))
          .isCloseTo(expected[i], offset(rel * Math.abs(expected[i])));
    }
  }

  /** Asserts |actual − expected| ≤ rel·|expected|. */
  public static void assertClose(double actual, double rel, double expected) {
    assertClose(new double[] {actual}, rel, expected);
  }
}
