package dev.fusebox.spark.samples;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.samples.SampleData;
import dev.fusebox.spark.FuseboxEstimator;
import dev.fusebox.spark.FuseboxModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Data-parallel training on Spark: the digits classifier (64-128-64-10, Adam, batch 32) trained by
 * {@link FuseboxEstimator} from a Parquet table on {@code local[2]}, two workers each computing one
 * micro-batch of 16 rows per global batch, the features standardised; then the held-out fifth of the
 * digits scored by the {@link FuseboxModel} it returns. The weights are the same bits on 1, 2 or 4
 * workers (at this micro-batch) and on any partitioning of the table.
 *
 * <pre>mvn -B -q -Pspark -pl spark-samples exec:exec -Dsample=SparkTraining</pre>
 */
public final class SparkTraining {
  static final int WORKERS = 2;
  static final int MICRO_BATCH = 16;

  /** The held-out accuracy, and the mean wall time of a global batch (an optimizer step) on Spark. */
  public record Result(double accuracy, long testRows, double millisPerBatch) {}

  private SparkTraining() {}

  public static void main(String[] args) throws IOException {
    SparkSession spark = SparkScoring.session("local[2]");
    try {
      run(spark, Path.of("target/spark-training"), System.out);
    } finally {
      spark.stop();
    }
  }

  public static Result run(SparkSession spark, Path dir, PrintStream out) throws IOException {
    Files.createDirectories(dir);
    ModelSpec spec = ModelSpec.parse(DigitsTable.SPEC, "digits.json");
    Dataset.Split split = SampleData.digits().split(0.2, spec.seed());
    String train = writeParquet(spark, split.train(), dir.resolve("digits-train.parquet"));
    String test = writeParquet(spark, split.valid(), dir.resolve("digits-test.parquet"));
    out.printf(Locale.ROOT, "wrote %d training and %d test digits as Parquet under %s%n", split.train().rows(),
        split.valid().rows(), dir);

    List<FuseboxEstimator.Epoch> epochs = new ArrayList<>();
    FuseboxEstimator estimator = new FuseboxEstimator().setSpec(spec).setLabelCol("label").setStandardize(true)
        .setPartitions(WORKERS).setMicroBatch(MICRO_BATCH).onEpoch(e -> {
          epochs.add(e);
          out.printf(Locale.ROOT, "epoch %2d/%d  loss %.4f  %.2f s%n", e.epoch(), e.epochs(), e.loss(), e.seconds());
        });
    FuseboxModel model = estimator.fit(spark.read().parquet(train));

    Row r = model.transform(spark.read().parquet(test)).agg(avg(when(col("prediction").equalTo(col("label").cast("double")), 1.0)
        .otherwise(0.0)), org.apache.spark.sql.functions.count("*")).first();
    double steps = epochs.stream().mapToInt(FuseboxEstimator.Epoch::steps).sum();
    double millis = epochs.stream().mapToDouble(FuseboxEstimator.Epoch::seconds).sum() * 1000 / steps;
    out.printf(Locale.ROOT, "trained on %s with %d workers, micro-batches of %d: %.2f ms per global batch of %d%n",
        spark.sparkContext().master(), WORKERS, MICRO_BATCH, millis, spec.batch());
    out.printf(Locale.ROOT, "held-out accuracy %.4f (%d digits)%n", r.getDouble(0), r.getLong(1));
    return new Result(r.getDouble(0), r.getLong(1), millis);
  }

  /** A data set as a Parquet table in one part, so that its rows keep their order: columns p0..p63 and label. */
  static String writeParquet(SparkSession spark, Dataset data, Path path) {
    StructType schema = new StructType();
    for (String c : DigitsTable.columns()) schema = schema.add(c, DataTypes.FloatType, false);
    schema = schema.add("label", DataTypes.IntegerType, false);
    List<Row> rows = new ArrayList<>();
    int d = data.featureCount();
    for (int i = 0; i < data.rows(); i++) {
      Object[] values = new Object[d + 1];
      for (int j = 0; j < d; j++) values[j] = data.feature(i, j);
      values[d] = data.label(i);
      rows.add(RowFactory.create(values));
    }
    String out = path.toAbsolutePath().toString();
    spark.createDataFrame(rows, schema).coalesce(1).write().mode("overwrite").parquet(out);
    return out;
  }
}
