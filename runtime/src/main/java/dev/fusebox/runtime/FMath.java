package dev.fusebox.runtime;

/** Math the JDK lacks, in double precision: used by the interpreter and by generated scalar code. */
public final class FMath {
  private FMath() {}

  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
  private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;

  /**
   * The error function, accurate to a few ulps. For |x| &lt; 2.5 it sums
   * erf(x) = 2/√π · e^(−x²) · Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), whose terms are all positive (no
   * cancellation); beyond, erf = 1 − erfc with erfc from its continued fraction.
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) return x;
    double a = Math.abs(x);
    double r;
    if (a < 2.5) {
      double x2 = a * a, term = a, sum = a;
      for (int n = 1; n < 200 && term > sum * 1e-17; n++) {
        term *= 2 * x2 / (2 * n + 1);
        sum += term;
      }
      r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    } else if (a < 6.5) {
      r = 1.0 - erfcContinuedFraction(a);
    } else {
      r = 1.0; // erfc(6.5) < 1e-19: below half an ulp of 1
    }
    return x < 0 ? -r : r;
  }

  /**
   * erfc(a) for a ≥ 2.5 = e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), evaluated with the
   * modified Lentz method.
   */
  private static double erfcContinuedFraction(double a) {
    double tiny = 1e-300;
    double f = a, c = a, d = 0;
    for (int k = 1; k < 300; k++) {
      double ak = k * 0.5;
      d = a + ak * d;
      if (d == 0) d = tiny;
      c = a + ak / c;
      if (c == 0) c = tiny;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    return ONE_OVER_SQRT_PI * Math.exp(-a * a) / f;
  }
}
