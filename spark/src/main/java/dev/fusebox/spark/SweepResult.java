package dev.fusebox.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** What a sweep gives back: its trials in the configurations' order, one row of scores each, and their models. */
public final class SweepResult {
  /** The columns of {@link #metrics()} and of {@code metrics.csv}, in order. */
  public static final List<String> COLUMNS = List.of("name", "optimizer", "lr", "seed", "epochs", "steps", "train_loss",
      "valid_loss", "valid_accuracy", "valid_mae", "valid_rmse", "best_epoch", "seconds", "executor", "failure");

  private final SparkSession spark;
  private final List<Trial> trials;
  private final double seconds;

  SweepResult(SparkSession spark, List<Trial> trials, double seconds) {
    this.spark = spark;
    this.trials = List.copyOf(trials);
    this.seconds = seconds;
  }

  public List<Trial> trials() {
    return trials;
  }

  /** Wall time of the Spark job that trained them all. */
  public double seconds() {
    return seconds;
  }

  /**
   * The trial that scored best: the lowest validation loss, or without validation data the lowest last
   * training loss; the first on a tie. Empty if every trial failed.
   */
  public Optional<Trial> best() {
    return trials.stream().filter(Trial::succeeded)
        .min(Comparator.comparingDouble(t -> t.validation().map(Trial.Scores::loss).orElse(t.trainLoss())));
  }

  /** One row per trial, with {@link #COLUMNS}; a score a trial does not have is null. */
  public Dataset<Row> metrics() {
    StructType schema = new StructType()
        .add("name", DataTypes.StringType, false).add("optimizer", DataTypes.StringType, false)
        .add("lr", DataTypes.DoubleType, false).add("seed", DataTypes.LongType, false)
        .add("epochs", DataTypes.IntegerType, false).add("steps", DataTypes.LongType, false)
        .add("train_loss", DataTypes.DoubleType, true).add("valid_loss", DataTypes.DoubleType, true)
        .add("valid_accuracy", DataTypes.DoubleType, true).add("valid_mae", DataTypes.DoubleType, true)
        .add("valid_rmse", DataTypes.DoubleType, true).add("best_epoch", DataTypes.IntegerType, false)
        .add("seconds", DataTypes.DoubleType, false).add("executor", DataTypes.StringType, false)
        .add("failure", DataTypes.StringType, true);
    List<Row> rows = new ArrayList<>();
    for (Trial t : trials) rows.add(RowFactory.create(values(t)));
    return spark.createDataFrame(rows, schema);
  }

  /**
   * Writes every trial's files into {@code dir} ({@code NAME.json}, the spec; {@code NAME.safetensors}
   * and {@code NAME.optimizer.safetensors}, as {@code fusebox train NAME.json} writes them) and
   * {@code metrics.csv}, one line per trial with {@link #COLUMNS}.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Trial t : trials) {
      writeAtomically(dir.resolve(t.name() + ".json"), t.config().specJson() + "\n");
      if (t.succeeded()) t.save(dir.resolve(t.name() + ".safetensors"));
    }
    writeAtomically(dir.resolve("metrics.csv"), csv());
  }

  /** The scores as CSV text, a header line and one line per trial. */
  public String csv() {
    StringBuilder b = new StringBuilder(String.join(",", COLUMNS)).append('\n');
    for (Trial t : trials) {
      Object[] v = values(t);
      for (int i = 0; i < v.length; i++) {
        String s = v[i] == null ? "" : String.valueOf(v[i]);
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) s = "\"" + s.replace("\"", "\"\"").replace('\n', ' ') + "\"";
        b.append(i == 0 ? "" : ",").append(s);
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** A table for people: name, scores and time, one line per trial, the best marked. */
  public String table() {
    StringBuilder b = new StringBuilder();
    Optional<Trial> best = best();
    for (Trial t : trials) {
      b.append(String.format(Locale.ROOT, "%-24s ", t.name()));
      if (!t.succeeded()) {
        b.append("failed: ").append(t.failure().get());
      } else {
        b.append(String.format(Locale.ROOT, "loss %.4f", t.trainLoss()));
        t.validation().ifPresent(s -> {
          b.append(String.format(Locale.ROOT, "  valid_loss %.4f", s.loss()));
          s.accuracy().ifPresent(a -> b.append(String.format(Locale.ROOT, "  valid_accuracy %.4f", a)));
          s.rmse().ifPresent(r -> b.append(String.format(Locale.ROOT, "  valid_rmse %.4f", r)));
          s.mae().ifPresent(m -> b.append(String.format(Locale.ROOT, "  valid_mae %.4f", m)));
        });
        b.append(String.format(Locale.ROOT, "  %.1f s on executor %s", t.seconds(), t.executor()));
      }
      if (best.isPresent() && best.get() == t) b.append("  <- best");
      b.append('\n');
    }
    return b.toString();
  }

  private static Object[] values(Trial t) {
    var spec = t.config().spec();
    Trial.Scores s = t.validation().orElse(null);
    return new Object[] {t.name(), spec.optimizer().name(), spec.optimizer().lr(), spec.seed(), t.epochs(), t.steps(),
        t.succeeded() ? t.trainLoss() : null, s == null ? null : s.loss(), s == null ? null : boxed(s.accuracy()),
        s == null ? null : boxed(s.mae()), s == null ? null : boxed(s.rmse()), t.bestEpoch(), t.seconds(), t.executor(),
        t.failure().orElse(null)};
  }

  private static Double boxed(java.util.OptionalDouble v) {
    return v.isPresent() ? v.getAsDouble() : null;
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
