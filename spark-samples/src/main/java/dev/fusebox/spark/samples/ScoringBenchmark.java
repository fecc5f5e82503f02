package dev.fusebox.spark.samples;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.spark.FuseboxModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The throughput harness BENCHMARKS.md reports: rows per second of scoring the digits model (a) by the
 * standalone scorer, one program on one thread running blocks of 1024 rows already in memory, the
 * arithmetic alone; (b) by {@link FuseboxModel} on {@code local[1]} and {@code local[2]}, reading a
 * Parquet table of made-up digits and scoring every row into Spark's noop sink; and (c) the same Spark
 * reads without scoring, which is what Spark itself costs. Each figure is the median of five runs after
 * two warm-ups, in one JVM. Nothing is asserted.
 *
 * <pre>mvn -B -q -Pspark -pl spark-samples exec:exec -Dsample=ScoringBenchmark [-Dsample.arg=ROWS]</pre>
 */
public final class ScoringBenchmark {
  static final int WARMUPS = 2;
  static final int RUNS = 5;
  static final int BLOCK = 1024;

  private ScoringBenchmark() {}

  public static void main(String[] args) throws IOException {
    long rows = args.length > 0 && !args[0].isBlank() ? Long.parseLong(args[0].strip()) : 1_000_000;
    Path dir = Files.createDirectories(Path.of("target/scoring-benchmark"));
    Path model = DigitsTable.trainModel(dir.resolve("digits.safetensors"));
    DigitsTable digits = new DigitsTable(SparkScoring.SEED);
    String table = dir.resolve("digits-" + rows + ".parquet").toAbsolutePath().toString();
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "| %-44s | %12s |", "scoring " + rows + " rows of the digits model", "rows/s"));
    lines.add("| --- | ---: |");
    lines.add(row("standalone: one program, one thread, rows in memory", standalone(model, digits, rows)));
    for (String master : List.of("local[1]", "local[2]")) {
      SparkSession spark = SparkScoring.session(master);
      try {
        if (master.equals("local[1]")) digits.writeParquet(spark, table, rows, 4);
        org.apache.spark.sql.Dataset<Row> read = spark.read().parquet(table);
        FuseboxModel fusebox = FuseboxModel.fromFile(model).setBlockSize(BLOCK);
        lines.add(row("Spark " + master + ": Parquet, FuseboxModel", median(rows, () -> noop(fusebox.transform(read)))));
        lines.add(row("Spark " + master + ": Parquet read alone", median(rows, () -> noop(read))));
      } finally {
        spark.stop();
      }
    }
    System.out.println();
    lines.forEach(System.out::println);
  }

  private static void noop(org.apache.spark.sql.Dataset<Row> d) {
    d.write().format("noop").mode("overwrite").save();
  }

  private static String row(String what, double rate) {
    return String.format(Locale.ROOT, "| %-44s | %,12.0f |", what, rate);
  }

  /** Rows per second, the median of {@link #RUNS} runs after {@link #WARMUPS}. */
  private static double median(long rows, Runnable run) {
    double[] rates = new double[RUNS];
    for (int i = 0; i < WARMUPS + RUNS; i++) {
      long start = System.nanoTime();
      run.run();
      double rate = rows / ((System.nanoTime() - start) / 1e9);
      if (i >= WARMUPS) rates[i - WARMUPS] = rate;
    }
    Arrays.sort(rates);
    return rates[RUNS / 2];
  }

  /** The standalone batch scorer's loop: standardise a block, one forward pass, read the outputs. */
  private static double standalone(Path model, DigitsTable digits, long rows) throws IOException {
    ModelMetadata metadata = ModelMetadata.read(model).orElseThrow();
    ModelSpec spec = metadata.spec().withBatch(BLOCK);
    Standardizer standardizer = metadata.standardizer().orElseThrow();
    float[] all = new float[Math.toIntExact(rows * DigitsTable.FEATURES)];
    for (long id = 0; id < rows; id++) digits.features(id, all, (int) (id * DigitsTable.FEATURES));
    try (Program program = Compiler.inference(spec.forward(), CompileOptions.defaults()).program(Target.auto())) {
      program.load(dev.fusebox.runtime.io.SafeTensors.read(model).tensors());
      float[] block = new float[BLOCK * DigitsTable.FEATURES];
      long[] sink = new long[1];
      return median(rows, () -> {
        for (long first = 0; first < rows; first += BLOCK) {
          int n = (int) Math.min(BLOCK, rows - first);
          System.arraycopy(all, (int) (first * DigitsTable.FEATURES), block, 0, n * DigitsTable.FEATURES);
          program.setInput("x", standardizer.apply(Dataset.ofFeatures(block, DigitsTable.FEATURES)).features());
          program.setValidRows(n);
          program.forward();
          sink[0] += program.read("prediction").length;
        }
      });
    }
  }
}
