package dev.fusebox.spark.cli;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.runtime.io.ModelFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fusebox-spark predict and sweep against fusebox predict and train, on CSV and Parquet tables. */
class CliTest {
  static final Path DATA = Path.of("../compiler/src/test/resources/dev/fusebox/cli");
  @TempDir static Path dir;
  static Path model;
  static SparkSession spark;

  /** Exit code, standard output and standard error of one run. */
  record Run(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  static Run run(boolean spark, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = spark ? Main.commandLine(o, e).execute(args) : dev.fusebox.cli.Main.commandLine(o, e).execute(args);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run ok(boolean spark, String... args) {
    Run r = run(spark, args);
    assertThat(r.code()).as("%s: %s", String.join(" ", args), r.err()).isZero();
    return r;
  }

  @BeforeAll
  static void train() {
    spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector").getOrCreate();
    model = dir.resolve("iris.safetensors");
    ok(false, "train", DATA.resolve("iris.json").toString(), "--data", DATA.resolve("iris-train.csv").toString(), "--label",
        "species", "--standardize", "--epochs", "20", "--out", model.toString());
  }

  /** A CSV file as Parquet, its columns as floats, in one part so that its rows keep their order. */
  static Path parquet(Path csv) {
    Path out = dir.resolve(csv.getFileName().toString().replace(".csv", ".parquet"));
    var table = spark.read().option("header", true).csv(csv.toString());
    Column[] floats = Arrays.stream(table.columns()).map(c -> col(c).cast("float").as(c)).toArray(Column[]::new);
    table.select(floats).coalesce(1).write().mode("overwrite").parquet(out.toString());
    return out;
  }

  /** The lines of a CSV table Spark wrote, in part order, with the header once. */
  static List<String> csvTable(Path table) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> parts = Files.list(table)) {
      for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        List<String> part = Files.readAllLines(p);
        lines.addAll(lines.isEmpty() ? part : part.subList(1, part.size()));
      }
    }
    return lines;
  }

  @Test
  void predictWritesFuseboxPredictsCsvToATableAndToStandardOutput() throws IOException {
    Path csv = DATA.resolve("iris.csv");
    Path expected = dir.resolve("expected.csv");
    ok(false, "predict", "--model", model.toString(), "--data", csv.toString(), "--out", expected.toString());

    Path table = dir.resolve("predictions.csv");
    Run r = ok(true, "predict", "--model", model.toString(), "--data", csv.toString(), "--out", table.toString(), "--block", "16");
    assertThat(r.out()).isEqualTo("wrote " + table + ": 150 predictions\n");
    assertThat(csvTable(table)).isEqualTo(Files.readAllLines(expected));
    // Again over it: the old table is replaced, and nothing is left beside it.
    ok(true, "predict", "--model", model.toString(), "--data", csv.toString(), "--out", table.toString());
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".predictions"));
    }

    Run stdout = ok(true, "predict", "--model", model.toString(), "--data", csv.toString());
    assertThat(stdout.lines()).isEqualTo(Files.readAllLines(expected));
  }

  @Test
  void predictReadsAndWritesParquetAndScoresALabel() throws IOException {
    Path csv = DATA.resolve("iris.csv");
    Path expected = dir.resolve("expected-labelled.csv");
    Run fusebox = ok(false, "predict", "--model", model.toString(), "--data", csv.toString(), "--label", "species", "--out",
        expected.toString());
    Path out = dir.resolve("predictions.parquet");
    Run r = ok(true, "predict", "--model", model.toString(), "--data", parquet(csv).toString(), "--label", "species", "--out",
        out.toString());

    List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
    List<String> lines = Files.readAllLines(expected);
    assertThat(spark.read().parquet(out.toString()).columns()).containsExactly(lines.get(0).split(","));
    assertThat(rows).hasSize(lines.size() - 1);
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      StringBuilder b = new StringBuilder();
      for (int c = 0; c < row.length(); c++) b.append(c == 0 ? "" : ",").append(row.get(c));
      assertThat(b.toString()).as("row %d", i).isEqualTo(lines.get(i + 1));
    }
    // fusebox predict: "loss 0.1234  accuracy 0.9667  (150 rows)"; the accuracy is the same.
    String accuracy = fusebox.out().replaceAll("(?s).*(accuracy \\S+).*", "$1");
    assertThat(r.lines()).containsExactly("wrote " + out + ": 150 predictions", accuracy + "  (150 rows)");
  }

  @Test
  void sweepWritesFuseboxTrainsFilesFromCsvAndParquetAlike() throws IOException {
    Path train = DATA.resolve("iris-train.csv");
    Path fromCsv = dir.resolve("sweep-csv");
    Run r = ok(true, "sweep", DATA.resolve("iris.json").toString(), "--data", train.toString(), "--label", "species", "--lr",
        "0.01,0.003", "--seed", "5", "--out", fromCsv.toString());
    assertThat(r.out()).contains("sweep 2 configurations on iris-train.csv: 120 rows").contains("iris-lr0.01-seed5")
        .contains("<- best").contains("done: 2 configurations");
    assertThat(Files.readAllLines(fromCsv.resolve("metrics.csv"))).hasSize(3);

    Path reference = dir.resolve("reference.safetensors");
    ok(false, "train", fromCsv.resolve("iris-lr0.003-seed5.json").toString(), "--data", train.toString(), "--label", "species",
        "--out", reference.toString());
    Path mine = fromCsv.resolve("iris-lr0.003-seed5.safetensors");
    assertThat(Files.readAllBytes(mine)).isEqualTo(Files.readAllBytes(reference));
    assertThat(Files.readAllBytes(ModelFiles.optimizerFile(mine))).isEqualTo(Files.readAllBytes(ModelFiles.optimizerFile(reference)));

    Path fromParquet = dir.resolve("sweep-parquet");
    ok(true, "sweep", DATA.resolve("iris.json").toString(), "--data", parquet(train).toString(), "--label", "species", "--lr",
        "0.003", "--seed", "5", "--out", fromParquet.toString());
    assertThat(Files.readAllBytes(fromParquet.resolve("iris-lr0.003-seed5.safetensors"))).isEqualTo(Files.readAllBytes(mine));
  }

  @Test
  void badInputsAreOneLineErrorsWithExitCode1() {
    Run extension = run(true, "predict", "--model", model.toString(), "--data", "rows.txt");
    assertThat(extension.code()).isEqualTo(1);
    assertThat(extension.err()).isEqualTo("fusebox-spark: error: rows.txt: the format is chosen by the extension, .csv or "
        + ".parquet\n");

    Run column = run(true, "predict", "--model", model.toString(), "--data", DATA.resolve("regression.csv").toString());
    assertThat(column.code()).isEqualTo(1);
    assertThat(column.err()).startsWith("fusebox-spark: error: ").contains("has no column 'sepal_length'")
        .contains("one of the inputs of iris.safetensors").hasLineCount(1);

    Run missing = run(true, "predict", "--model", dir.resolve("nope.safetensors").toString(), "--data",
        DATA.resolve("iris.csv").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("nope.safetensors").hasLineCount(1);

    Run spec = run(true, "predict", DATA.resolve("regression.json").toString(), "--model", model.toString(), "--data",
        DATA.resolve("iris.csv").toString());
    assertThat(spec.code()).isEqualTo(1);
    assertThat(spec.err()).contains("regression.json: input is 3, but iris.safetensors was trained with 4").hasLineCount(1);
  }
}
