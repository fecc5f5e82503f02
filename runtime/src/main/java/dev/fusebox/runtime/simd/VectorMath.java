package dev.fusebox.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector functions the Vector API lacks, for generated vector kernels. Only generated vector code
 * loads this class, so the runtime works without {@code jdk.incubator.vector} when the scalar backend
 * is used.
 */
public final class VectorMath {
  private VectorMath() {}

  /**
   * erf(x). For |x| &lt; 1 its Maclaurin series to x²¹ (truncation error below 1.1e−9); beyond,
   * 1 − erfc(|x|) with erfc = t·exp(−x² + P(t)), t = 1/(1 + |x|/2) (the Chebyshev fit of Numerical
   * Recipes, fractional error below 1.2e−7). Largest absolute error, measured in float against the
   * double-precision {@code FMath.erf} over [−6, 6]: 1.45e−7, near |x| = 1 ({@code VectorMathTest}).
   */
  public static FloatVector erf(FloatVector x) {
    FloatVector x2 = x.mul(x);
    // 2/√π · Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)) for n ≤ 10, in Horner form in x².
    FloatVector series = FloatVector.broadcast(x.species(), SERIES[SERIES.length - 1]);
    for (int n = SERIES.length - 2; n >= 0; n--) series = x2.mul(series).add(SERIES[n]);
    series = series.mul(x).mul(1.1283791670955126f);
    return erfTail(x).blend(series, x.abs().compare(VectorOperators.LT, SERIES_LIMIT));
  }

  /** Below this |x| the series is used. */
  private static final float SERIES_LIMIT = 1f;
  /** (−1)ⁿ/(n!(2n+1)): the series of erf's terms; the next one (n = 11) is below 1.1e−9 at |x| = 1. */
  private static final float[] SERIES = {1f, -1f / 3, 1f / 10, -1f / 42, 1f / 216, -1f / 1320, 1f / 9360, -1f / 75600, 1f / 685440,
      -1f / 6894720, 1f / 76204800};

  private static FloatVector erfTail(FloatVector x) {
    FloatVector z = x.abs();
    FloatVector t = FloatVector.broadcast(x.species(), 1f).div(z.mul(0.5f).add(1f));
    FloatVector p = t.mul(0.17087277f).add(-0.82215223f);
    p = t.mul(p).add(1.48851587f);
    p = t.mul(p).add(-1.13520398f);
    p = t.mul(p).add(0.27886807f);
    p = t.mul(p).add(-0.18628806f);
    p = t.mul(p).add(0.09678418f);
    p = t.mul(p).add(0.37409196f);
    p = t.mul(p).add(1.00002368f);
    p = t.mul(p).add(-1.26551223f);
    FloatVector erfc = t.mul(z.mul(z).neg().add(p).lanewise(VectorOperators.EXP));
    FloatVector r = FloatVector.broadcast(x.species(), 1f).sub(erfc);
    return r.blend(r.neg(), x.compare(VectorOperators.LT, 0f));
  }

  /** signum: −1 or 1, and x itself for ±0 and NaN, as {@link Math#signum(float)}. */
  public static FloatVector sign(FloatVector x) {
    return x.blend(1f, x.compare(VectorOperators.GT, 0f)).blend(-1f, x.compare(VectorOperators.LT, 0f));
  }
}
