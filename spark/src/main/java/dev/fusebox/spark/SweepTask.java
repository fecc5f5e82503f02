package dev.fusebox.spark;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Compiler.Compilation;
import dev.fusebox.Target;
import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.SavedModel;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.Standardizer;
import dev.fusebox.runtime.io.ModelFiles;
import dev.fusebox.runtime.train.Evaluator;
import dev.fusebox.runtime.train.Metrics;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.runtime.train.TrainingResult;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;

/**
 * Trains one configuration in a Spark task exactly as {@code fusebox train NAME.json --data ... --label
 * ... [--valid ...] [--standardize]} trains it on one machine (the same compile options, trainer
 * settings, data and standardisation), and brings back its model pair's bytes and its scores.
 */
final class SweepTask implements Function<SweepConfig, SweepTask.Outcome> {
  private static final long serialVersionUID = 1L;

  /** What a task sends back: scores, and the files {@code fusebox train} would have written (null after a failure). */
  record Outcome(String name, long steps, int epochs, int bestEpoch, double trainLoss, double validLoss, double validAccuracy,
      double validMae, double validRmse, double seconds, String executor, String failure, byte[] parameters,
      byte[] optimizerState) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  private final Broadcast<SweepData> train;
  private final Broadcast<SweepData> valid; // null: none
  private final String label;
  private final double[] mean; // null: no standardisation (the data travel standardised; the model file records it)
  private final double[] scale;
  private final Target.Kind kind;
  private final int threads;
  private final CollectionAccumulator<String> notices;

  SweepTask(Broadcast<SweepData> train, Broadcast<SweepData> valid, String label, Optional<Standardizer> standardizer,
      Target.Kind kind, int threads, CollectionAccumulator<String> notices) {
    this.train = train;
    this.valid = valid;
    this.label = label;
    this.mean = standardizer.map(Standardizer::mean).orElse(null);
    this.scale = standardizer.map(Standardizer::scale).orElse(null);
    this.kind = kind;
    this.threads = threads;
    this.notices = notices;
  }

  @Override
  public Outcome call(SweepConfig config) throws IOException {
    TaskContext task = TaskContext.get();
    Target requested = new Target(kind, threads > 0 ? threads : task == null ? 1 : Math.max(1, task.cpus()));
    return run(config, train.value().dataset(), valid == null ? null : valid.value().dataset(), label,
        Optional.ofNullable(mean).map(m -> Standardizer.of(m, scale)), ExecutorTarget.resolve(requested, notices::add));
  }

  /** Trains {@code config} on {@code target} (concrete); {@code data} and {@code validation} already standardised if asked. */
  static Outcome run(SweepConfig config, Dataset data, Dataset validation, String label, Optional<Standardizer> standardizer,
      Target target) throws IOException {
    long start = System.nanoTime();
    ModelSpec spec = config.spec();
    // fusebox train's compile options (clipping as the spec says), through this executor's once-per-source cache.
    CompileOptions options = CompileOptions.defaults().withClipGradNorm(spec.clipGradNorm()).withLoader(OnceLoader.executor());
    ModelSpec compiled = SweepConfig.compiledSpec(spec);
    Compilation compilation = Compiler.compile(compiled.forward(), compiled.optimizer(), options);
    String executor = SparkEnv.get() == null ? "local" : SparkEnv.get().executorId();
    try (Program program = compilation.program(target)) {
      Trainer.Builder b = Trainer.builder(program, data).batchSize(spec.batch()).seed(spec.seed()).shuffle(true)
          .schedule(spec.schedule()).epochs(spec.epochs()).quiet();
      if (validation != null) b.validation(validation);
      TrainingResult result = b.build().fit();
      double seconds = (System.nanoTime() - start) / 1e9;
      if (result.nonFinite().isPresent()) {
        return new Outcome(config.name(), result.steps(), result.history().size(), result.bestEpoch(), Double.NaN, Double.NaN,
            Double.NaN, Double.NaN, Double.NaN, seconds, executor, "training stopped: " + result.nonFinite().get().message().replace(SweepConfig.COMPILED_SOURCE,
            spec.source()),
            null, null);
      }
      Metrics scores = validation == null ? null : Evaluator.of(program).evaluate(validation);
      ModelMetadata metadata = ModelMetadata.of(spec, data.featureNames(), Optional.of(label), standardizer);
      Path dir = Files.createTempDirectory("fusebox-sweep-");
      try {
        Path file = dir.resolve(config.name() + ".safetensors");
        SavedModel.save(file, program, metadata, result.state());
        byte[] parameters = Files.readAllBytes(file);
        byte[] optimizer = Files.readAllBytes(ModelFiles.optimizerFile(file));
        return new Outcome(config.name(), result.steps(), result.history().size(), result.bestEpoch(),
            result.last().orElseThrow().trainLoss(), scores == null ? Double.NaN : scores.loss(),
            scores == null ? Double.NaN : scores.accuracy().orElse(Double.NaN),
            scores == null ? Double.NaN : scores.mae().orElse(Double.NaN),
            scores == null ? Double.NaN : scores.rmse().orElse(Double.NaN), (System.nanoTime() - start) / 1e9, executor, null,
            parameters, optimizer);
      } finally {
        delete(dir);
      }
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
