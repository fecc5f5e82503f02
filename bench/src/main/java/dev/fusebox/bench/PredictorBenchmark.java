package dev.fusebox.bench;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelMetadata;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.model.Predictions;
import dev.fusebox.model.Predictor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serving: one call of {@link Predictor#predict(float[], int, int)} on {@code rows} rows of a network's
 * model (mnist, 784-256-128-10, or digits, 64-128-64-10; softmax), on one thread with one program,
 * compiled for the model's batch (mnist 128, digits 32) unless {@code batch} names another: fewer rows
 * are a partial batch, more run in chunks of the batch, the last partial. Rows per second are
 * {@code rows} over the time per call. {@code program} is the floor a hand-written caller would reach:
 * a program compiled for exactly {@code rows} rows, its input set, run and read (logits, no
 * probabilities, no checks); it does not depend on {@code batch}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class PredictorBenchmark {

  @Param({"mnist", "digits"})
  public String network;

  @Param({"1", "64", "256", "10000"})
  public int rows;

  /** The batch the predictor is compiled for: {@code model}, the spec's (the default), or a number ({@code -p batch=512}). */
  @Param({"model"})
  public String batch;

  private Predictor predictor;
  private Program program;
  private float[] x;

  @Setup(Level.Trial)
  public void load() {
    ModelSpec spec = Networks.spec(network);
    NamedTensors parameters;
    // The spec's initial parameters stand in for trained ones: the work per row does not depend on their values.
    try (Program initial = Compiler.inference(spec.forward(), CompileOptions.defaults()).program(Target.interpreter())) {
      HashSet<String> names = new HashSet<>(initial.parameterNames());
      parameters = initial.state().filter(names::contains);
    }
    predictor = Predictor.of(ModelMetadata.of(spec, List.of(), Optional.empty(), Optional.empty()), parameters,
        Predictor.Options.defaults().withTarget(Target.vector()).withMaxPrograms(1).withBatch(batch.equals("model") ? 0
            : Integer.parseInt(batch)));
    program = Compiler.inference(spec.withBatch(rows).forward(), CompileOptions.defaults()).program(Target.vector());
    program.load(parameters);
    SplittableRandom random = new SplittableRandom(42);
    x = new float[rows * spec.input()];
    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
  }

  @TearDown(Level.Trial)
  public void close() {
    predictor.close();
    program.close();
  }

  @Benchmark
  public Predictions predictor() {
    return predictor.predict(x, 0, rows);
  }

  @Benchmark
  public float[] program() {
    program.setInput("x", x);
    program.forward();
    return program.read("prediction");
  }
}
