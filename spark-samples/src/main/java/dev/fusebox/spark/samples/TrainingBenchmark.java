package dev.fusebox.spark.samples;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.samples.SampleData;
import dev.fusebox.spark.FuseboxEstimator;
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
 * The harness BENCHMARKS.md's data-parallel Spark figures come from: the cost of one global batch (an
 * optimizer step) of the digits model (1,437 training rows) trained by {@link FuseboxEstimator} on
 * {@code local[2]}, for batches of 32 and 256 rows and 1 or 2 workers, split into the slowest worker's
 * time computing gradients, exchanging partial sums (over the tasks' sockets, waiting for the slowest peer
 * included) and applying the update, and the rest (the epoch's shuffle and barrier stage, per step);
 * against the fused single-JVM step of the same batch. Each figure is the median over epochs 2 to 5 of a
 * 5-epoch fit (epoch 1 compiles and warms up). Nothing is asserted.
 *
 * <pre>mvn -B -q -Pspark -pl spark-samples exec:exec -Dsample=TrainingBenchmark</pre>
 */
public final class TrainingBenchmark {
  static final int EPOCHS = 5;

  private TrainingBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createDirectories(Path.of("target/training-benchmark"));
    ModelSpec digits = ModelSpec.parse(DigitsTable.SPEC, "digits.json");
    Dataset.Split split = SampleData.digits().split(0.2, digits.seed());
    SparkSession spark = SparkScoring.session("local[2]");
    List<String> lines = new ArrayList<>();
    lines.add("| batch | workers × micro-batch | ms per global batch | compute | exchange | update | stage overhead | fused step, one JVM |");
    lines.add("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    try {
      String train = SparkTraining.writeParquet(spark, split.train(), dir.resolve("train.parquet"));
      org.apache.spark.sql.Dataset<Row> table = spark.read().parquet(train).cache();
      table.count();
      for (int batch : new int[] {32, 256}) {
        ModelSpec spec = ModelSpec.parse(DigitsTable.SPEC.replace("\"batch\": 32", "\"batch\": " + batch), "digits.json");
        double fused = fused(spec, split.train());
        for (int[] config : new int[][] {{1, batch}, {1, batch / 2}, {2, batch / 2}}) {
          List<FuseboxEstimator.Epoch> epochs = new ArrayList<>();
          new FuseboxEstimator().setSpec(spec).setLabelCol("label").setStandardize(true).setEpochs(EPOCHS)
              .setPartitions(config[0]).setMicroBatch(config[1]).onEpoch(epochs::add).fit(table);
          List<FuseboxEstimator.Epoch> warm = epochs.subList(1, epochs.size());
          double total = median(warm, e -> e.seconds() / e.steps());
          double compute = median(warm, e -> e.computeSeconds() / e.steps());
          double exchange = median(warm, e -> e.exchangeSeconds() / e.steps());
          double update = median(warm, e -> e.updateSeconds() / e.steps());
          String line = String.format(Locale.ROOT, "| %d | %d × %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |", batch, config[0],
              config[1], total * 1e3, compute * 1e3, exchange * 1e3, update * 1e3, (total - compute - exchange - update) * 1e3,
              fused * 1e3);
          System.out.println(line);
          lines.add(line);
        }
      }
    } finally {
      spark.stop();
    }
    System.out.println();
    lines.forEach(System.out::println);
  }

  /** Seconds per step of the fused program, trained as fusebox train trains it: the median of epochs 2..EPOCHS. */
  static double fused(ModelSpec spec, Dataset raw) throws IOException {
    Dataset data = Standardizer.fit(raw).apply(raw);
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(), CompileOptions.defaults()).program()) {
      double[] perStep = new double[EPOCHS];
      for (int e = 0; e < EPOCHS; e++) {
        long start = System.nanoTime();
        Trainer.builder(program, data).batchSize(spec.batch()).seed(spec.seed()).epochs(1).quiet().build().fit();
        perStep[e] = (System.nanoTime() - start) / 1e9 / ((data.rows() + spec.batch() - 1) / spec.batch());
      }
      double[] warm = Arrays.copyOfRange(perStep, 1, EPOCHS);
      Arrays.sort(warm);
      return warm[warm.length / 2];
    }
  }

  private static double median(List<FuseboxEstimator.Epoch> epochs, java.util.function.ToDoubleFunction<FuseboxEstimator.Epoch> f) {
    double[] v = epochs.stream().mapToDouble(f).sorted().toArray();
    return v[v.length / 2];
  }
}
