package dev.fusebox.spark.cli;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.when;

import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.spark.FuseboxModel;
import dev.fusebox.spark.SparkData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
 * {@code fusebox-spark predict}: {@code fusebox predict} on a Spark master. Reads a CSV or Parquet table,
 * scores it with {@link FuseboxModel} and writes {@code fusebox predict}'s columns, in the input's order,
 * as a table of the format {@code --out}'s extension names.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Predict with a trained model on Spark: one row for each row of --data.",
        "Columns, as fusebox predict writes them:",
        "  class,p0,..,p{k-1}  for softmax_cross_entropy (p: softmax probabilities)",
        "  probability,class   for binary_cross_entropy",
        "  y0,..               for regression (the model's outputs)", ""})
final class PredictCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC.json",
      description = {"The model's spec. Optional: the model file holds its", "own, and a spec given must agree with it."})
  Path spec;

  @Option(names = "--model", required = true, paramLabel = "FILE.safetensors",
      description = {"The trained model, as fusebox train saves it: a local", "path or any URL Spark reads (hdfs://, s3a://)."})
  String model;

  @Option(names = "--data", required = true, paramLabel = "TABLE",
      description = {"Rows to predict: .csv (a header line) or .parquet,", "a file or a directory of parts. The model's input",
          "columns are taken by name; other columns are left out."})
  String data;

  @Option(names = "--label", paramLabel = "COLUMN",
      description = {"A label column in --data: the model is scored on it", "(accuracy, or RMSE and MAE)."})
  String label;

  @Option(names = "--out", paramLabel = "TABLE",
      description = {"Where to write the predictions: .csv or .parquet, a", "directory of part files as Spark writes tables,",
          "replaced when complete. Default: CSV on standard output."})
  String out;

  @Option(names = "--master", paramLabel = "URL",
      description = {"The Spark master (default: spark-submit's, or local[*])."})
  String master;

  @Mixin TaskTargetOptions where;

  @Option(names = "--block", paramLabel = "ROWS", defaultValue = "1024", description = "Rows per forward pass (default: ${DEFAULT-VALUE}).")
  int block;

  @Override
  public Integer call() throws IOException {
    Target target = where.target();
    if (block < 1) throw new IllegalArgumentException("--block must be at least 1, not " + block);
    if (out != null) SparkData.Format.of(out);
    SparkData.Format.of(data);
    if (target.kind() == Target.Kind.VECTOR && !Target.vectorAvailable()) {
      throw new IllegalArgumentException("--backend vector needs the JDK's Vector API, which this JVM was started without: run "
          + "java with --add-modules=jdk.incubator.vector (and set spark.executor.extraJavaOptions to it for a cluster), or use "
          + "--backend auto to fall back to scalar kernels");
    }
    SparkSession spark = Sessions.get(master, "fusebox-spark predict");
    FuseboxModel fusebox = FuseboxModel.fromFile(spark, model).setTarget(target.kind().text()).setThreads(where.threads)
        .setBlockSize(block);
    if (spec != null) {
      ModelSpec given = ModelSpec.read(spec);
      given.requireAgreement(given.predictionDifferences(fusebox.spec()), fusebox.modelName());
    }
    Dataset<Row> table = SparkData.read(spark, data);
    List<String> inputs = inputs(table, fusebox);
    List<String> keep = new ArrayList<>(inputs);
    if (label != null) keep.add(label);
    Dataset<Row> features = SparkData.asFloats(table.select(keep.stream().map(c -> col(quote(c))).toArray(Column[]::new)), keep);
    Dataset<Row> scored = fusebox.setInputCols(inputs.toArray(new String[0])).transform(features);
    if (label != null) scored = scored.persist();
    Dataset<Row> predictions = scored.select(columns(fusebox));

    PrintStream messages = out == null ? main.err : main.out;
    if (out == null) {
      writeCsv(predictions, main.out);
    } else {
      long rows = Tables.write(predictions, out);
      messages.println("wrote " + out + ": " + rows + " predictions");
    }
    if (label != null) {
      messages.println(scores(scored, fusebox));
      scored.unpersist();
    }
    return Main.OK;
  }

  /** The model's input columns in --data: by the names its file records, else all columns but the label, by position. */
  private List<String> inputs(Dataset<Row> table, FuseboxModel fusebox) {
    List<String> columns = new ArrayList<>(Arrays.asList(table.columns()));
    if (label != null && !columns.remove(label)) {
      throw new IllegalArgumentException(data + ": has no column '" + label + "' (--label); its columns are " + columns);
    }
    List<String> wanted = fusebox.metadata().inputColumns();
    if (wanted.isEmpty()) {
      if (columns.size() != fusebox.spec().input()) {
        throw new IllegalArgumentException(data + ": has " + columns.size() + " feature columns " + columns + ", but "
            + fusebox.modelName() + " takes " + fusebox.spec().input() + " inputs");
      }
      return columns;
    }
    List<String> missing = new ArrayList<>(wanted);
    missing.removeAll(columns);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(data + ": has no column '" + missing.get(0) + "'" + (missing.size() > 1 ? " (nor "
          + String.join(", ", missing.subList(1, missing.size())) + ")" : "") + ", one of the inputs of " + fusebox.modelName()
          + ": " + wanted);
    }
    return wanted;
  }

  /** fusebox predict's columns from the transformer's, as floats and ints (written as Java writes them). */
  private static Column[] columns(FuseboxModel fusebox) {
    ModelSpec s = fusebox.spec();
    List<Column> c = new ArrayList<>();
    switch (s.lossEntry().spec().prediction()) {
      case CLASS_PROBABILITIES -> {
        c.add(col("prediction").cast("int").as("class"));
        for (int k = 0; k < s.outputs(); k++) c.add(vector_to_array(col("probability"), "float64").getItem(k).cast("float").as("p" + k));
      }
      case BINARY_PROBABILITY -> {
        c.add(vector_to_array(col("probability"), "float64").getItem(1).cast("float").as("probability"));
        c.add(col("prediction").cast("int").as("class"));
      }
      case VALUES -> {
        if (s.outputs() == 1) {
          c.add(col("prediction").cast("float").as("y0"));
        } else {
          for (int k = 0; k < s.outputs(); k++) c.add(vector_to_array(col("prediction"), "float64").getItem(k).cast("float").as("y" + k));
        }
      }
    }
    return c.toArray(new Column[0]);
  }

  /** Accuracy, or RMSE and MAE, of the predictions against --label. */
  private String scores(Dataset<Row> scored, FuseboxModel fusebox) {
    Column y = col(quote(label)).cast("double");
    if (fusebox.isClassifier()) {
      Column truth = fusebox.spec().lossEntry().spec().prediction().name().equals("BINARY_PROBABILITY")
          ? when(y.geq(0.5), 1.0).otherwise(0.0) : y;
      Row r = scored.agg(avg(when(col("prediction").equalTo(truth), 1.0).otherwise(0.0)), count("*")).first();
      return String.format(Locale.ROOT, "accuracy %.4f  (%d rows)", r.getDouble(0), r.getLong(1));
    }
    Column error = col("prediction").cast("float").cast("double").minus(y);
    Row r = scored.agg(sqrt(avg(error.multiply(error))), avg(abs(error)), count("*")).first();
    return String.format(Locale.ROOT, "rmse %.4f  mae %.4f  (%d rows)", r.getDouble(0), r.getDouble(1), r.getLong(2));
  }

  /** The predictions as CSV on standard output, streamed a partition at a time. */
  private static void writeCsv(Dataset<Row> predictions, PrintStream stdout) {
    stdout.println(String.join(",", predictions.columns()));
    StringBuilder line = new StringBuilder();
    for (Iterator<Row> it = predictions.toLocalIterator(); it.hasNext(); ) {
      Row r = it.next();
      line.setLength(0);
      for (int i = 0; i < r.length(); i++) line.append(i == 0 ? "" : ",").append(r.get(i));
      stdout.println(line);
    }
    stdout.flush();
  }

  static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
