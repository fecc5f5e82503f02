package dev.fusebox.spark.samples;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.samples.SampleData;
import dev.fusebox.spark.FuseboxSweep;
import dev.fusebox.spark.SweepConfig;
import dev.fusebox.spark.SweepResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * A hyper-parameter sweep on Spark: the digits classifier at three learning rates with two seeds each,
 * six configurations, each trained in a Spark task of its own on {@code local[2]}; one row of scores per
 * configuration, and every trained model written as {@code fusebox train} would have written it.
 *
 * <pre>mvn -B -q -Pspark -pl spark-samples exec:exec -Dsample=SparkSweep [-Dsample.arg=OUT_DIR]</pre>
 */
public final class SparkSweep {
  static final double[] LEARNING_RATES = {3e-4, 1e-3, 3e-3};
  static final long[] SEEDS = {1, 2};

  private SparkSweep() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 && !args[0].isBlank() ? args[0].strip() : "target/spark-sweep");
    SparkSession spark = SparkScoring.session("local[2]");
    try {
      run(spark, out, System.out);
    } finally {
      spark.stop();
    }
  }

  public static SweepResult run(SparkSession spark, Path out, PrintStream print) throws IOException {
    // The digits network, 8 epochs; the data split 80/20 (the validation part scores every model).
    ModelSpec spec = ModelSpec.parse(DigitsTable.SPEC.replace("\"epochs\": 20", "\"epochs\": 8"), "digits.json");
    Dataset.Split split = SampleData.digits().split(0.2, 7);
    SweepResult result = FuseboxSweep.on(spark).data(split.train(), "label").validation(split.valid()).standardize(true).build()
        .run(SweepConfig.grid(spec, LEARNING_RATES, SEEDS));
    print.printf(Locale.ROOT, "%d configurations of the 64-128-64-10 digits classifier, Adam, %d epochs each, on %s in %.1f s%n",
        result.trials().size(), spec.epochs(), spark.sparkContext().master(), result.seconds());
    print.print(result.table());
    result.save(out);
    print.println("wrote every model and metrics.csv to " + out.toAbsolutePath().normalize());
    return result;
  }
}
