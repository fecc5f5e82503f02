package dev.fusebox.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Batcher;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.ModelFiles;
import dev.fusebox.runtime.train.ReductionTree;
import dev.fusebox.runtime.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on Spark gives the same bits for 1, 2 and 4 workers, on any partitioning of the
 * input, run after run and after a worker fails mid-epoch, and they are the bits of a plain loop in this
 * JVM over the same micro-batches summed in the same tree. Runs in a JVM of its own (local[4]: a barrier
 * stage needs a slot per task).
 */
class DataParallelSparkTest {
  static final int ROWS = 203, FEATURES = 6, CLASSES = 3, BATCH = 24, MICRO = 5, EPOCHS = 3;
  static final String SPEC = "{\"input\": 6, \"layers\": [{\"units\": 12, \"activation\": \"tanh\"}, {\"units\": 3}], "
      + "\"loss\": \"softmax_cross_entropy\", \"optimizer\": {\"type\": \"adam\", \"lr\": 0.01, \"weight_decay\": 0.01}, "
      + "\"batch\": 24, \"epochs\": 3, \"seed\": 5, \"clip_grad_norm\": 1.0}";

  @TempDir static Path dir;
  static SparkSession spark;
  static org.apache.spark.sql.Dataset<Row> table;
  static float[] x = new float[ROWS * FEATURES];
  static int[] y = new int[ROWS];

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[4]").appName("fusebox-data-parallel").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4").getOrCreate();
    SplittableRandom random = new SplittableRandom(11);
    List<Row> rows = new ArrayList<>();
    StructType schema = new StructType();
    for (int j = 0; j < FEATURES; j++) schema = schema.add("f" + j, DataTypes.FloatType, false);
    schema = schema.add("label", DataTypes.IntegerType, false);
    for (int r = 0; r < ROWS; r++) {
      Object[] values = new Object[FEATURES + 1];
      y[r] = random.nextInt(CLASSES);
      for (int j = 0; j < FEATURES; j++) {
        // Scaled and shifted features whose class moves the mean: standardisation matters, and sums are inexact.
        x[r * FEATURES + j] = (float) (3.7 * j + 0.1 + (1 + j) * random.nextGaussian() + (y[r] == j % CLASSES ? 1.5 : 0));
        values[j] = x[r * FEATURES + j];
      }
      values[FEATURES] = y[r];
      rows.add(RowFactory.create(values));
    }
    table = spark.createDataFrame(rows, schema).repartition(3).sortWithinPartitions("f0"); // some order: the rows' index
    table.cache();
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  static FuseboxEstimator estimator(int workers) {
    return new FuseboxEstimator().setSpec(ModelSpec.parse(SPEC, "test.json")).setLabelCol("label").setStandardize(true)
        .setPartitions(workers).setMicroBatch(MICRO);
  }

  static Path fit(String name, FuseboxEstimator estimator, org.apache.spark.sql.Dataset<Row> data) throws IOException {
    Path file = dir.resolve(name + ".safetensors");
    estimator.fit(data, file);
    return file;
  }

  @Test
  void sameBitsForOneTwoAndFourWorkersAsASingleJvmLoop() throws IOException {
    // The same rows in the same order on one partition and on three: only the rows' index counts.
    Path one = fit("one", estimator(1), table.coalesce(1));
    Path two = fit("two", estimator(2), table);
    Path four = fit("four", estimator(4), table);
    Path again = fit("again", estimator(2), table);
    assertThat(Files.mismatch(one, two)).isEqualTo(-1);
    assertThat(Files.mismatch(two, four)).isEqualTo(-1);
    assertThat(Files.mismatch(two, again)).isEqualTo(-1);
    assertThat(Files.mismatch(ModelFiles.optimizerFile(one), ModelFiles.optimizerFile(four))).isEqualTo(-1);

    NamedTensors reference = reference(one);
    NamedTensors trained = ModelFiles.readParameters(two).tensors();
    for (String name : trained.names()) {
      assertThat(bits(trained.require(name).data())).as(name).isEqualTo(bits(reference.require(name).data()));
    }
  }

  @Test
  void aWorkerFailingMidEpochChangesNothing() throws IOException {
    Path clean = fit("clean", estimator(2), table);
    Path marker = dir.resolve("failed-once");
    System.setProperty(EpochTask.FAIL_PROPERTY, "1:3:1:" + marker);
    try {
      List<Integer> attempts = new ArrayList<>();
      Path failed = fit("failed", estimator(2).onEpoch(e -> attempts.add(e.attempts())), table);
      assertThat(marker).exists(); // the failure happened, in epoch 2
      assertThat(attempts).containsExactly(1, 2, 1);
      assertThat(Files.mismatch(clean, failed)).isEqualTo(-1);
      assertThat(Files.mismatch(ModelFiles.optimizerFile(clean), ModelFiles.optimizerFile(failed))).isEqualTo(-1);
    } finally {
      System.clearProperty(EpochTask.FAIL_PROPERTY);
    }
  }

  @Test
  void oneMicroBatchPerBatchIsTheFusedStepUpToRounding() throws IOException {
    Path split = fit("whole", estimator(1).setMicroBatch(BATCH), table);
    ModelSpec spec = ModelSpec.parse(SPEC, "test.json");
    Dataset data = standardised(split);
    try (Program program = Compiler.compile(spec.forward(), spec.optimizer(),
        CompileOptions.defaults().withClipGradNorm(spec.clipGradNorm())).program(Target.vector())) {
      Trainer.builder(program, data).batchSize(BATCH).seed(spec.seed()).shuffle(true).schedule(spec.schedule()).epochs(EPOCHS)
          .quiet().build().fit();
      NamedTensors trained = ModelFiles.readParameters(split).tensors();
      double worst = 0;
      for (String name : trained.names()) {
        float[] a = program.read(name), b = trained.require(name).data();
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-3 + Math.abs(a[i])));
      }
      System.out.printf("micro-batch = batch vs the fused step after %d epochs: largest relative difference %.3g%n", EPOCHS, worst);
      assertThat(worst).isLessThan(1e-4);
    }
  }

  /** The training rows in the table's order, standardised by the statistics the model file records. */
  static Dataset standardised(Path model) throws IOException {
    List<Row> rows = table.collectAsList();
    float[] features = new float[ROWS * FEATURES];
    int[] labels = new int[ROWS];
    for (int r = 0; r < ROWS; r++) {
      for (int j = 0; j < FEATURES; j++) features[r * FEATURES + j] = rows.get(r).getFloat(j);
      labels[r] = rows.get(r).getInt(FEATURES);
    }
    Dataset data = Dataset.ofClasses(features, FEATURES, labels, CLASSES);
    Standardizer saved = FuseboxModel.fromFile(model).metadata().standardizer().orElseThrow();
    Standardizer fitted = Standardizer.fit(data);
    for (int j = 0; j < FEATURES; j++) {
      // Exact sums, rounded once, against fit's sums in double: the same to rounding.
      assertThat(saved.mean()[j]).isCloseTo(fitted.mean()[j], offset(1e-12 * Math.abs(fitted.mean()[j])));
      assertThat(saved.scale()[j]).isCloseTo(fitted.scale()[j], offset(1e-12 * fitted.scale()[j]));
    }
    return saved.apply(data);
  }

  /** The same training as a plain loop: the epoch's batches, cut into micro-batches, summed at the tree's root. */
  static NamedTensors reference(Path model) throws IOException {
    ModelSpec spec = ModelSpec.parse(SPEC, "test.json");
    Dataset data = standardised(model);
    ModelSpec micro = spec.withBatch(MICRO);
    Compiler.DataParallel split = Compiler.dataParallel(micro.forward(), micro.optimizer(),
        CompileOptions.defaults().withClipGradNorm(spec.clipGradNorm()));
    List<String> params = split.parameters();
    int kMax = (BATCH + MICRO - 1) / MICRO;
    try (Program grads = split.gradients().program(Target.vector()); Program update = split.update().program(Target.vector())) {
      Batcher batches = Batcher.shuffled(data, BATCH, spec.seed());
      long step = 0;
      for (int e = 0; e < EPOCHS; e++) {
        batches.startEpoch(e);
        while (batches.next()) {
          int rows = batches.validRows();
          int k = (rows + MICRO - 1) / MICRO;
          float[][][] leaves = new float[k][][];
          for (int m = 0; m < k; m++) {
            int n = Math.min(MICRO, rows - m * MICRO);
            grads.setInput("x", Arrays.copyOfRange(batches.features(), m * MICRO * FEATURES, (m + 1) * MICRO * FEATURES));
            int[] l = Arrays.copyOfRange(batches.labels(), m * MICRO, (m + 1) * MICRO);
            for (int i = n; i < MICRO; i++) l[i] = 0;
            grads.setLabels("y", l);
            grads.setValidRows(n);
            grads.setScalar("loss_scale", (float) n / rows);
            grads.setStepCount(step * kMax + m);
            grads.step();
            leaves[m] = params.stream().map(p -> grads.read(p + ".grad")).toArray(float[][]::new);
          }
          for (int p = 0; p < params.size(); p++) {
            int q = p;
            float[] sum = new float[leaves[0][p].length];
            ReductionTree.Sums.root(k, (lo, hi, out) -> {
              if (hi - lo != 1) return false;
              System.arraycopy(leaves[lo][q], 0, out, 0, out.length);
              return true;
            }, sum, new float[ReductionTree.depth(k)][sum.length]);
            update.setInput(params.get(p) + ".grad", sum);
          }
          update.setScalar(Trainer.LR, (float) spec.schedule().lr(e, step));
          update.step();
          grads.load(update.state().filter(params::contains));
          step++;
        }
      }
      return update.state().filter(params::contains);
    }
  }

  static int[] bits(float[] values) {
    int[] b = new int[values.length];
    for (int i = 0; i < values.length; i++) b[i] = Float.floatToRawIntBits(values[i]);
    return b;
  }
}
