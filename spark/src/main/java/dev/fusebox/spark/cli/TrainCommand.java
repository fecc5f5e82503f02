package dev.fusebox.spark.cli;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.when;

import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.io.ModelFiles;
import dev.fusebox.spark.FuseboxEstimator;
import dev.fusebox.spark.FuseboxModel;
import dev.fusebox.spark.SparkData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code fusebox-spark train}: {@code fusebox train} with data-parallel workers on a Spark master
 * ({@link FuseboxEstimator}); the same weights, to the bit, for any {@code --partitions} at a given
 * {@code --micro-batch}. Writes the model pair {@code fusebox train} writes.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Train the model SPEC.json describes on a table, data-parallel on Spark.",
        "Each global batch (the spec's batch) is cut into micro-batches of",
        "--micro-batch rows, spread over --partitions workers (barrier tasks) and",
        "summed in a fixed order: the weights are the same bits for any number of",
        "workers and any partitioning of --data, and equal to one JVM's run of the",
        "same micro-batches. Writes the parameters to --out and the optimizer state",
        "beside them, as fusebox train does.", ""},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  trained and saved", "  1  usage or input error", "  2  a loss became NaN or infinite (nothing saved)",
        "  3  internal error"})
final class TrainCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "SPEC.json", description = "The model's spec (JSON).")
  Path spec;

  @Option(names = "--data", required = true, paramLabel = "TABLE",
      description = {"Training data: .csv (a header line) or .parquet. Rows", "are numbered in the table's order; that order,",
          "not its partitioning, decides the batches."})
  String data;

  @Option(names = "--label", required = true, paramLabel = "COLUMN",
      description = {"The label column (class labels 0..k-1, or the target);", "every other column is a feature."})
  String label;

  @Option(names = "--valid", paramLabel = "TABLE", description = "Validation data, scored once training is done.")
  String valid;

  @Option(names = "--out", paramLabel = "FILE.safetensors", defaultValue = "model.safetensors",
      description = {"Where to write the parameters (on the driver).", "Default: ${DEFAULT-VALUE}."})
  Path out;

  @Option(names = "--epochs", paramLabel = "N", description = "Passes over the data (default: the spec's epochs).")
  Integer epochs;

  @Option(names = "--no-shuffle", description = {"Take batches in the table's order, not in a new", "seeded order every epoch."})
  boolean noShuffle;

  @Option(names = "--standardize",
      description = {"Standardise every feature by the training data's mean", "and deviation (exact sums: the same for any",
          "partitioning); the model file records them."})
  boolean standardize;

  @Option(names = "--seed", paramLabel = "N", description = "Seed for initialisation and shuffling, instead of the spec's.")
  Long seed;

  @Option(names = "--master", paramLabel = "URL", description = "The Spark master (default: spark-submit's, or local[*]).")
  String master;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
      description = {"Workers: barrier tasks, one per partition, each", "needing a task slot (default: the context's",
          "parallelism, at most the micro-batches of a batch)."})
  int partitions;

  @Option(names = "--micro-batch", paramLabel = "M", defaultValue = "0",
      description = {"Rows per micro-batch (default: the batch divided by", "--partitions). Part of the result: keep it fixed",
          "to compare runs on different numbers of workers."})
  int microBatch;

  @Mixin TaskTargetOptions where;

  @Override
  public Integer call() throws IOException {
    Target target = where.target();
    if (partitions < 0) throw new IllegalArgumentException("--partitions must be at least 1, not " + partitions);
    if (microBatch < 0) throw new IllegalArgumentException("--micro-batch must be at least 1, not " + microBatch);
    if (epochs != null && epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, not " + epochs);
    if (out.toString().isEmpty()) throw new IllegalArgumentException("--out is empty; give a file name");
    if (Files.isDirectory(out)) throw new IllegalArgumentException("--out " + out + " is a directory; give a file name");
    SparkData.Format.of(data);
    if (valid != null) SparkData.Format.of(valid);
    ModelSpec model = ModelSpec.read(spec);
    if (seed != null) model = model.withSeed(seed);
    SparkSession spark = Sessions.get(master, "fusebox-spark train");
    Dataset<Row> table = SparkData.read(spark, data);
    FuseboxEstimator estimator = new FuseboxEstimator().setSpec(model).setLabelCol(label).setStandardize(standardize)
        .setShuffle(!noShuffle).setPartitions(partitions).setMicroBatch(microBatch).setTarget(target.kind().text())
        .setThreads(where.threads).setEpochs(epochs == null ? 0 : epochs)
        .onEpoch(e -> main.out.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  %d steps  %.2f s (compute %.2f, exchange %.2f, "
            + "update %.2f)%s%n", e.epoch(), e.epochs(), e.loss(), e.steps(), e.seconds(), e.computeSeconds(),
            e.exchangeSeconds(), e.updateSeconds(), e.attempts() > 1 ? "  after " + (e.attempts() - 1) + " failed attempt(s)" : ""));
    main.out.println("train " + spec.getFileName() + " (" + model.input() + "-" + model.layers().stream()
        .map(l -> Integer.toString(l.units())).collect(Collectors.joining("-")) + ", " + model.optimizer().name() + ") on "
        + name(data) + ": batch " + model.batch() + ", " + (epochs != null ? epochs : model.epochs()) + " epochs, "
        + (partitions > 0 ? partitions + " workers" : "default workers") + (microBatch > 0 ? ", micro-batch " + microBatch : "")
        + " on " + spark.sparkContext().master());
    long start = System.nanoTime();
    FuseboxModel trained;
    try {
      trained = estimator.fit(table, out);
    } catch (IllegalStateException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("fusebox: training stopped")) {
        main.err.println(Main.PREFIX + e.getMessage().substring("fusebox: ".length()) + "; nothing was written to " + out);
        return 2;
      }
      throw e;
    }
    StringBuilder done = new StringBuilder(String.format(Locale.ROOT, "done in %.1f s", (System.nanoTime() - start) / 1e9));
    if (valid != null) done.append("  valid ").append(scores(trained, SparkData.read(spark, valid)));
    main.out.println(done);
    main.out.println("wrote " + out + " (parameters) and " + ModelFiles.optimizerFile(out) + " (optimizer state)");
    return Main.OK;
  }

  /** Accuracy, or RMSE and MAE, of the model on a table with the training data's columns. */
  private String scores(FuseboxModel model, Dataset<Row> table) {
    List<String> columns = new ArrayList<>(model.metadata().inputColumns());
    List<String> missing = columns.stream().filter(c -> !Arrays.asList(table.columns()).contains(c)).toList();
    if (!missing.isEmpty() || !Arrays.asList(table.columns()).contains(label)) {
      throw new IllegalArgumentException(valid + ": has no column '" + (missing.isEmpty() ? label : missing.get(0)) + "', which the "
          + "training data has");
    }
    columns.add(label);
    Dataset<Row> scored = model.transform(SparkData.asFloats(table.select(columns.stream().map(c -> col(PredictCommand.quote(c)))
        .toArray(Column[]::new)), columns));
    Column y = col(PredictCommand.quote(label)).cast("double");
    if (model.isClassifier()) {
      Row r = scored.agg(avg(when(col("prediction").equalTo(y), 1.0).otherwise(0.0)), count("*")).first();
      return String.format(Locale.ROOT, "accuracy %.4f  (%d rows)", r.getDouble(0), r.getLong(1));
    }
    Column error = col("prediction").cast("float").cast("double").minus(y);
    Row r = scored.agg(sqrt(avg(error.multiply(error))), avg(abs(error)), count("*")).first();
    return String.format(Locale.ROOT, "rmse %.4f  mae %.4f  (%d rows)", r.getDouble(0), r.getDouble(1), r.getLong(2));
  }

  private static String name(String table) {
    return table.replaceAll("/+$", "").replaceAll(".*/", "");
  }
}
