package dev.fusebox.bench;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
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
 * One training step ({@link Program#step}: forward, backward, optimizer update) and one inference
 * pass ({@link Program#forward}) of each network in each {@link RunMode}. Inputs are filled with seeded
 * random data once per trial: the timed methods copy no data. Every iteration starts again from the
 * initial parameters and optimizer state (restored outside the timed region), so that training the
 * same batch for millions of steps cannot drift into saturated or denormal values; the loss is
 * checked to be finite after each iteration.
 *
 * <p>Warm-up is long on purpose: a generated program is one large class, and C2 takes several
 * seconds of steps to compile it (the first steps of the mnist trainer run ~100× slower than the
 * steady state; the wide trainer's first step takes seconds). Eight one-second iterations reach the
 * steady state for every network here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class TrainingBenchmark {

  @Param({"tiny", "xor", "digits", "mnist", "wide"})
  public String network;

  @Param({"interpreter", "scalar", "vector", "vector_unfused"})
  public String mode;

  /**
   * Kernel threads of the compiled modes. One by default: the 2-thread figures come from a run with
   * {@code -p threads=2 -p mode=vector} (see bench/run.sh), since the second core is not always there.
   */
  @Param({"1"})
  public int threads;

  private Program program;
  private NamedTensors initial;

  @Setup(Level.Trial)
  public void compile() {
    ModelSpec spec = Networks.spec(network);
    program = RunMode.parse(mode).create(spec, threads);
    RandomInputs.fill(program, 42);
    initial = program.state();
  }

  @Setup(Level.Iteration)
  public void restart() {
    program.load(initial);
  }

  @TearDown(Level.Iteration)
  public void check() {
    float loss = program.step();
    if (!Float.isFinite(loss)) {
      throw new IllegalStateException(network + "/" + mode + ": the loss became " + loss + "; " + program.firstNonFinite());
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    program.close();
  }

  @Benchmark
  public float step() {
    return program.step();
  }

  @Benchmark
  public void forward() {
    program.forward();
  }
}
