package dev.fusebox.spark.samples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import dev.fusebox.model.SavedModel;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.spark.FuseboxModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Batch scoring on Spark: a Parquet table of a million made-up digits scored by the digits model with
 * {@link FuseboxModel} on {@code local[2]}, in blocks of rows per partition, with rows per second; then
 * every row's class, and the raw outputs of every thousandth row, checked against the standalone
 * scorer's ({@link SavedModel#predict}) on the same rows: they must be the same, bit for bit.
 *
 * <pre>mvn -B -q -Pspark -pl spark-samples exec:exec -Dsample=SparkScoring [-Dsample.arg=ROWS]</pre>
 */
public final class SparkScoring {
  static final long ROWS = 1_000_000;
  static final long SEED = 11;

  /** What was scored, how fast, and how many rows disagreed with the standalone scorer (0, or it is a bug). */
  public record Result(long rows, double rowsPerSecond, long mismatches, long checkedRaw) {}

  private SparkScoring() {}

  public static void main(String[] args) throws IOException {
    long rows = args.length > 0 && !args[0].isBlank() ? Long.parseLong(args[0].strip()) : ROWS;
    SparkSession spark = session("local[2]");
    try {
      Result r = run(spark, Path.of("target/spark-scoring"), rows, System.out);
      if (r.mismatches() > 0) System.exit(1);
    } finally {
      spark.stop();
    }
  }

  /** A local session with the Vector API for the driver and, as a cluster needs it, for executors. */
  static SparkSession session(String master) {
    return SparkSession.builder().master(master).appName("fusebox " + master).config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", "--add-modules=jdk.incubator.vector")
        .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector").getOrCreate();
  }

  public static Result run(SparkSession spark, Path dir, long rows, PrintStream out) throws IOException {
    Files.createDirectories(dir);
    Path model = DigitsTable.trainModel(dir.resolve("digits.safetensors"));
    DigitsTable digits = new DigitsTable(SEED);
    String table = dir.resolve("digits-" + rows + ".parquet").toAbsolutePath().toString();
    digits.writeParquet(spark, table, rows, 4);
    out.printf(Locale.ROOT, "wrote %,d rows to score to %s%n", rows, table);

    FuseboxModel fusebox = FuseboxModel.fromFile(model);
    org.apache.spark.sql.Dataset<Row> scored = fusebox.transform(spark.read().parquet(table));
    // Scoring alone, every row through the model, the output thrown away: Spark's noop sink.
    long start = System.nanoTime();
    scored.write().format("noop").mode("overwrite").save();
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = rows / seconds;
    out.printf(Locale.ROOT, "scored %,d rows on %s in %.2f s: %,.0f rows/s (reading Parquet and scoring, blocks of %d)%n", rows,
        spark.sparkContext().master(), seconds, rate, fusebox.getOrDefault(fusebox.blockSize()));

    // The same rows through the standalone scorer, a block at a time. One more pass of Spark's brings back every row's
    // class and, for every thousandth row, its raw outputs (null elsewhere).
    List<Row> predicted = scored.select(col("id"), col("prediction"), when(col("id").mod(1000).equalTo(0), col("rawPrediction")))
        .collectAsList();
    double[] classes = new double[Math.toIntExact(rows)];
    List<Row> raw = new ArrayList<>();
    for (Row r : predicted) {
      classes[Math.toIntExact(r.getLong(0))] = r.getDouble(1);
      if (!r.isNullAt(2)) raw.add(r);
    }
    long mismatches = 0;
    int block = 65_536;
    float[] x = new float[block * DigitsTable.FEATURES];
    float[][] logits = new float[Math.toIntExact((rows + 999) / 1000)][];
    try (SavedModel standalone = SavedModel.load(model)) {
      for (long first = 0; first < rows; first += block) {
        int n = (int) Math.min(block, rows - first);
        for (int r = 0; r < n; r++) digits.features(first + r, x, r * DigitsTable.FEATURES);
        Dataset batch = Dataset.ofFeatures(java.util.Arrays.copyOf(x, n * DigitsTable.FEATURES), DigitsTable.FEATURES)
            .withNames(DigitsTable.columns(), List.of());
        float[] p = standalone.predict(batch).data();
        for (int r = 0; r < n; r++) {
          long id = first + r;
          if (argmax(p, r * 10) != classes[(int) id]) mismatches++;
          if (id % 1000 == 0) logits[(int) (id / 1000)] = java.util.Arrays.copyOfRange(p, r * 10, r * 10 + 10);
        }
      }
    }
    for (Row r : raw) {
      Vector v = (Vector) r.get(2);
      float[] expected = logits[(int) (r.getLong(0) / 1000)];
      for (int c = 0; c < 10; c++) if (Float.floatToIntBits((float) v.apply(c)) != Float.floatToIntBits(expected[c])) mismatches++;
    }
    out.printf(Locale.ROOT, "checked against the standalone scorer: every row's class, and all 10 outputs of %,d rows: %s%n",
        raw.size(), mismatches == 0 ? "the same, bit for bit" : mismatches + " differ");
    return new Result(predicted.size(), rate, mismatches, raw.size());
  }

  static int argmax(float[] v, int offset) {
    int best = 0;
    for (int i = 1; i < 10; i++) if (v[offset + i] > v[offset + best]) best = i;
    return best;
  }
}
