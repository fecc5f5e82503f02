package dev.fusebox.bench;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.runtime.train.Trainer;
import dev.fusebox.runtime.train.TrainingResult;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A training step as a user gets it: {@link Trainer#fit} over shuffled in-memory data, per step, next to
 * the bare {@link Program#step} of the same program. The difference is the trainer's own work per step
 * (cutting a batch, copying it in, the clock, the books), which for small networks must not outweigh the
 * compiled step. Each {@code fit} runs {@value #STEPS} steps quietly (no output, no log).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class TrainerBenchmark {
  static final int STEPS = 10_000;

  @Param({"tiny", "xor", "digits"})
  public String network;

  private Program program;
  private NamedTensors initial;
  private Dataset data;

  @Setup(Level.Trial)
  public void compile() {
    ModelSpec spec = Networks.spec(network);
    program = RunMode.parse("vector").create(spec, 1);
    RandomInputs.fill(program, 42);
    initial = program.state();
    data = randomData(spec, 64 * spec.batch(), 7);
  }

  /** Rows of standard normal features with labels (or targets) uniform over what the loss takes. */
  static Dataset randomData(ModelSpec spec, int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] features = new float[rows * spec.input()];
    for (int i = 0; i < features.length; i++) features[i] = (float) random.nextGaussian();
    int outputs = spec.outputs();
    if (spec.labelKind() == LabelKind.CLASS) {
      int[] labels = new int[rows];
      for (int i = 0; i < rows; i++) labels[i] = random.nextInt(outputs);
      return Dataset.ofClasses(features, spec.input(), labels, outputs);
    }
    float[] targets = new float[rows * outputs];
    for (int i = 0; i < targets.length; i++) targets[i] = random.nextInt(2);
    return Dataset.ofTargets(features, spec.input(), targets, outputs);
  }

  @Setup(Level.Iteration)
  public void restart() {
    program.load(initial);
  }

  @TearDown(Level.Trial)
  public void close() {
    program.close();
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public TrainingResult trainerStep() throws IOException {
    return Trainer.builder(program, data).steps(STEPS).seed(1).quiet().build().fit();
  }

  @Benchmark
  public float programStep() {
    return program.step();
  }
}
