package dev.fusebox.runtime.data;

import java.util.Arrays;

/**
 * Per-feature standardisation {@code (x - mean) / scale}, where {@code scale} is the population
 * standard deviation. Fit it on the training set only and apply the same instance to training,
 * validation and test data, so that no statistic leaks from the data a model is judged on.
 *
 * <p>A feature that is constant in the training set gets scale 1 instead of its standard deviation 0:
 * dividing by 0 would turn every value into NaN or infinity, while scale 1 maps the training values to
 * 0 and leaves any other value's distance from the training constant as it was.
 */
public final class Standardizer {
  private final double[] mean;
  private final double[] scale;

  private Standardizer(double[] mean, double[] scale) {
    this.mean = mean;
    this.scale = scale;
  }

  /**
   * {@return a standardizer of the means and population standard deviations of each feature of {@code train}}
   *
   * @param train the training data, at least one row
   * @throws IllegalArgumentException if {@code train} has no rows
   */
  public static Standardizer fit(Dataset train) {
    int n = train.rows();
    int d = train.featureCount();
    if (n == 0) throw new IllegalArgumentException("cannot fit a standardizer on a data set with no rows");
    double[] mean = new double[d];
    double[] scale = new double[d];
    float[] x = train.sharedFeatures();
    for (int j = 0; j < d; j++) {
      float min = x[j];
      float max = x[j];
      double sum = 0;
      for (int r = 0; r < n; r++) {
        float v = x[r * d + j];
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      if (min == max) {
        // Exact, and the mean is then the value itself, so the feature standardises to exact zeros.
        mean[j] = min;
        scale[j] = 1;
        continue;
      }
      // Two passes: subtracting the mean before squaring avoids the cancellation of sum(x²) - n·mean².
      double m = sum / n;
      double squares = 0;
      for (int r = 0; r < n; r++) {
        double dev = x[r * d + j] - m;
        squares += dev * dev;
      }
      mean[j] = m;
      scale[j] = Math.sqrt(squares / n);
    }
    return new Standardizer(mean, scale);
  }

  /**
   * {@return a standardizer with known statistics, such as ones saved with a trained model}
   *
   * @param mean per feature, finite (copied)
   * @param scale per feature, the divisor, finite and positive (copied)
   * @throws IllegalArgumentException if the lengths differ or a value is out of range, naming the feature
   */
  public static Standardizer of(double[] mean, double[] scale) {
    if (mean.length != scale.length) {
      throw new IllegalArgumentException(mean.length + " means but " + scale.length + " scales");
    }
    for (int j = 0; j < scale.length; j++) {
      if (!(scale[j] > 0) || !Double.isFinite(scale[j]) || !Double.isFinite(mean[j])) {
        throw new IllegalArgumentException("feature " + j + ": mean " + mean[j] + " and scale " + scale[j]
            + " must be finite, and the scale positive");
      }
    }
    return new Standardizer(mean.clone(), scale.clone());
  }

  /** {@return the number of features it standardises} */
  public int featureCount() {
    return mean.length;
  }

  /** {@return the per-feature means, a copy} */
  public double[] mean() {
    return mean.clone();
  }

  /** {@return the per-feature divisors (standard deviation, or 1 for a constant feature), a copy} */
  public double[] scale() {
    return scale.clone();
  }

  /**
   * {@return a new data set with standardised features and the same labels or targets and names}
   *
   * @param data data with this standardizer's feature count
   * @throws IllegalArgumentException if the feature counts differ
   */
  public Dataset apply(Dataset data) {
    int d = mean.length;
    if (data.featureCount() != d) {
      throw new IllegalArgumentException("fitted on " + d + " features, but the data set has " + data.featureCount());
    }
    float[] x = data.features();
    for (int row = 0; row < x.length; row += d) apply(x, row, x, row);
    return data.withFeatures(x);
  }

  /**
   * Standardises one row of {@link #featureCount()} features, {@code from[fromOffset...]}, into
   * {@code into[intoOffset...]} (the same array and offset standardise in place), computing as
   * {@link #apply(Dataset)} does, so that a row served alone gets the values a data set's row gets.
   *
   * @param from the raw features
   * @param fromOffset index of the row's first feature in {@code from}
   * @param into where the standardised features go
   * @param intoOffset index of the row's first feature in {@code into}
   */
  public void apply(float[] from, int fromOffset, float[] into, int intoOffset) {
    for (int j = 0; j < mean.length; j++) into[intoOffset + j] = (float) ((from[fromOffset + j] - mean[j]) / scale[j]);
  }

  /** Equal when the means and scales are, bit for bit. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Standardizer s && Arrays.equals(mean, s.mean) && Arrays.equals(scale, s.scale);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(scale);
  }

  @Override
  public String toString() {
    return "Standardizer[mean=" + Arrays.toString(mean) + ", scale=" + Arrays.toString(scale) + "]";
  }
}
