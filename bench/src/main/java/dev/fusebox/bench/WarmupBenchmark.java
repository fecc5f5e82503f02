package dev.fusebox.bench;

import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Warm-up as a cost: the first {@code steps} training steps of a program in a fresh JVM, as a batch job
 * that runs many short trainings pays them. Single shot, no warm-up iteration, one measurement per fork,
 * so every figure is a cold start of the steps (the compile before them is {@link CompileBenchmark}'s
 * cold figure). Compare with {@code steps} × {@link TrainingBenchmark}'s steady step to see what the JIT
 * costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 5, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class WarmupBenchmark {

  @Param({"tiny", "xor", "digits", "mnist", "wide"})
  public String network;

  @Param({"100", "1000"})
  public int steps;

  private Program program;

  @Setup
  public void compile() {
    ModelSpec spec = Networks.spec(network);
    program = RunMode.parse("vector").create(spec, 1);
    RandomInputs.fill(program, 42);
  }

  @TearDown
  public void close() {
    program.close();
  }

  @Benchmark
  public float firstSteps() {
    float loss = 0;
    for (int i = 0; i < steps; i++) loss = program.step();
    return loss;
  }
}
