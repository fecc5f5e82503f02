package dev.fusebox.spark;

import dev.fusebox.Target;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * A hyper-parameter sweep as a Spark job: every configuration trains its own model in a task of its
 * own, on the same data, and the driver gets back one row of scores per configuration and every trained
 * model.
 *
 * <pre>{@code
 * Dataset train = CsvData.readClasses(Path.of("train.csv"), "label", 10);
 * SweepResult result = FuseboxSweep.on(spark).data(train, "label").validation(valid).standardize(true).build()
 *     .run(SweepConfig.grid(ModelSpec.read(Path.of("digits.json")), new double[] {1e-3, 3e-3}, new long[] {1, 2, 3}));
 * result.metrics().show();               // one row per configuration
 * result.save(Path.of("sweep"));         // NAME.json, NAME.safetensors, NAME.optimizer.safetensors, metrics.csv
 * }</pre>
 *
 * Each trial is what {@code fusebox train NAME.json --data train.csv --label label [--valid valid.csv]
 * [--standardize]} gives on one machine, bit for bit: the same compilation, trainer settings (the spec's
 * batch, epochs, seed, schedule; shuffling on), data and standardisation, and the same model files.
 * The data travel to each executor once (a broadcast). Configurations that differ only in their
 * learning rate (a program input) share one compiled class per executor; other settings compiled into
 * the program's code, weight decay among them, compile once per executor for each distinct value.
 * Where programs run follows {@link FuseboxModel}'s rules: {@code auto} falls back to scalar kernels on
 * an executor without the Vector API, with a warning in the driver's log; {@code vector} fails there.
 */
public final class FuseboxSweep {
  private final SparkSession spark;
  private final Dataset train;
  private final Dataset valid;
  private final String label;
  private final Optional<Standardizer> standardizer;
  private final Target target;
  private final boolean taskThreads;

  private FuseboxSweep(Builder b) {
    this.spark = b.spark;
    this.label = b.label;
    this.standardizer = b.standardize ? Optional.of(Standardizer.fit(b.train)) : Optional.empty();
    this.train = standardizer.isPresent() ? standardizer.get().apply(b.train) : b.train;
    this.valid = b.valid == null || standardizer.isEmpty() ? b.valid : standardizer.get().apply(b.valid);
    this.target = b.target;
    this.taskThreads = b.taskThreads;
  }

  /** A sweep running on {@code spark}'s executors. */
  public static Builder on(SparkSession spark) {
    return new Builder(spark);
  }

  /**
   * Trains every configuration, one Spark task each, and returns their results in the configurations'
   * order. A configuration whose loss stops being finite is a failed trial (its message says where);
   * any other error fails the job.
   *
   * @throws IllegalArgumentException if two configurations share a name, or one does not fit the data
   */
  public SweepResult run(List<SweepConfig> configs) {
    if (configs.isEmpty()) throw new IllegalArgumentException("a sweep needs at least one configuration");
    Set<String> names = new HashSet<>();
    for (SweepConfig c : configs) {
      if (!names.add(c.name())) throw new IllegalArgumentException("two sweep configurations are named '" + c.name() + "'");
      int inputs = c.spec().input();
      if (inputs != train.featureCount()) {
        throw new IllegalArgumentException("sweep configuration '" + c.name() + "' takes " + inputs + " inputs, but the data has "
            + train.featureCount() + " feature columns " + train.featureNames());
      }
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SweepData> trainData = jsc.broadcast(SweepData.of(train));
    Broadcast<SweepData> validData = valid == null ? null : jsc.broadcast(SweepData.of(valid));
    SweepTask task = new SweepTask(trainData, validData, label, standardizer, target.kind(), taskThreads ? 0 : target.threads(),
        ExecutorNotices.register(spark.sparkContext()));
    long start = System.nanoTime();
    // One partition per configuration: one task each, scheduled as cores free up.
    List<SweepTask.Outcome> outcomes = jsc.parallelize(new ArrayList<>(configs), configs.size()).map(task).collect();
    double seconds = (System.nanoTime() - start) / 1e9;
    trainData.destroy();
    if (validData != null) validData.destroy();
    List<Trial> trials = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) trials.add(Trial.of(configs.get(i), outcomes.get(i)));
    return new SweepResult(spark, trials, seconds);
  }

  /** Options of a sweep; {@link #data} is required. */
  public static final class Builder {
    private final SparkSession spark;
    private Dataset train;
    private String label;
    private Dataset valid;
    private boolean standardize;
    private Target target = Target.auto();
    private boolean taskThreads = true;

    private Builder(SparkSession spark) {
      this.spark = Objects.requireNonNull(spark, "spark");
    }

    /**
     * The training data, with class labels or targets as the configurations' loss takes them, and the
     * name of its label column (which the model files record).
     */
    public Builder data(Dataset train, String labelColumn) {
      this.train = Objects.requireNonNull(train, "train");
      this.label = Objects.requireNonNull(labelColumn, "labelColumn");
      return this;
    }

    /** Data to score every trained model on (fusebox train's {@code --valid}). */
    public Builder validation(Dataset valid) {
      this.valid = valid;
      return this;
    }

    /** Standardise features by the training data's mean and deviation, as {@code fusebox train --standardize}. */
    public Builder standardize(boolean standardize) {
      this.standardize = standardize;
      return this;
    }

    /**
     * Where programs run (default {@code auto}); its thread count, if set above 1, is each task's for its
     * large matmuls (by default a task uses its {@code spark.task.cpus}). Results do not depend on it.
     */
    public Builder target(Target target) {
      this.target = Objects.requireNonNull(target, "target");
      this.taskThreads = target.threads() == 1;
      return this;
    }

    public FuseboxSweep build() {
      if (train == null) throw new IllegalStateException("a sweep needs training data: call data(train, labelColumn)");
      if (valid != null && !valid.featureNames().equals(train.featureNames())) {
        throw new IllegalArgumentException("the validation data's columns " + valid.featureNames() + " are not the training "
            + "data's " + train.featureNames());
      }
      return new FuseboxSweep(this);
    }
  }
}
