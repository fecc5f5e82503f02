package dev.fusebox.spark;

import dev.fusebox.runtime.data.Standardizer;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * Standardisation statistics of a distributed table that do not depend on how it is partitioned: each
 * partition sums its values exactly (in {@link BigDecimal}, which every float and every product of two
 * floats is exactly), the driver adds the partitions' sums exactly, and only the final mean and variance
 * are rounded. Exact sums are the same in any order, so the statistics are the same bits for any
 * partitioning and any number of workers. The definitions are {@link Standardizer#fit}'s: the mean, the
 * population standard deviation (two passes, around the mean as a double), and scale 1 for a constant
 * feature; they agree with it to the last bit wherever its double sums are exact (small integers such as
 * pixel values), and are the correctly rounded values elsewhere.
 */
final class ExactStandardizer {
  private ExactStandardizer() {}

  /** What one partition contributes: its row count, each feature's exact sum (or sum of squared deviations), min and max. */
  record Partial(long rows, BigDecimal[] sums, float[] min, float[] max) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** The standardizer of the rows' features, {@code features} of them per row. */
  static Standardizer fit(JavaRDD<TrainingRow> rows, int features) {
    List<Partial> first = rows.mapPartitions(it -> {
      BigDecimal[] sums = zeros(features);
      float[] min = new float[features];
      float[] max = new float[features];
      Arrays.fill(min, Float.POSITIVE_INFINITY);
      Arrays.fill(max, Float.NEGATIVE_INFINITY);
      long n = 0;
      while (it.hasNext()) {
        float[] x = it.next().features();
        for (int j = 0; j < features; j++) {
          sums[j] = sums[j].add(new BigDecimal(x[j]));
          min[j] = Math.min(min[j], x[j]);
          max[j] = Math.max(max[j], x[j]);
        }
        n++;
      }
      return List.of(new Partial(n, sums, min, max)).iterator();
    }).collect();
    long n = 0;
    BigDecimal[] sums = zeros(features);
    float[] min = new float[features];
    float[] max = new float[features];
    Arrays.fill(min, Float.POSITIVE_INFINITY);
    Arrays.fill(max, Float.NEGATIVE_INFINITY);
    for (Partial p : first) {
      n += p.rows();
      for (int j = 0; j < features; j++) {
        sums[j] = sums[j].add(p.sums()[j]);
        min[j] = Math.min(min[j], p.min()[j]);
        max[j] = Math.max(max[j], p.max()[j]);
      }
    }
    if (n == 0) throw new IllegalArgumentException("cannot standardise a table with no rows");
    BigDecimal count = BigDecimal.valueOf(n);
    double[] mean = new double[features];
    for (int j = 0; j < features; j++) {
      mean[j] = min[j] == max[j] ? min[j] : sums[j].divide(count, MathContext.DECIMAL128).doubleValue();
    }
    List<Partial> second = rows.mapPartitions(it -> {
      BigDecimal[] squares = zeros(features);
      BigDecimal[] centre = new BigDecimal[features];
      for (int j = 0; j < features; j++) centre[j] = new BigDecimal(mean[j]);
      long m = 0;
      while (it.hasNext()) {
        float[] x = it.next().features();
        for (int j = 0; j < features; j++) {
          BigDecimal dev = new BigDecimal(x[j]).subtract(centre[j]);
          squares[j] = squares[j].add(dev.multiply(dev));
        }
        m++;
      }
      return List.of(new Partial(m, squares, new float[0], new float[0])).iterator();
    }).collect();
    BigDecimal[] squares = zeros(features);
    for (Partial p : second) for (int j = 0; j < features; j++) squares[j] = squares[j].add(p.sums()[j]);
    double[] scale = new double[features];
    for (int j = 0; j < features; j++) {
      scale[j] = min[j] == max[j] ? 1 : Math.sqrt(squares[j].divide(count, MathContext.DECIMAL128).doubleValue());
    }
    return Standardizer.of(mean, scale);
  }

  private static BigDecimal[] zeros(int n) {
    BigDecimal[] z = new BigDecimal[n];
    Arrays.fill(z, BigDecimal.ZERO);
    return z;
  }
}
