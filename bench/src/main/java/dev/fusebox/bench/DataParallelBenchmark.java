package dev.fusebox.bench;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
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
 * A training step on the same global batch in three arrangements: the fused step on one thread
 * ({@code fused}), the fused step with its large matmuls split over two threads ({@code rows2},
 * {@code --threads 2}), and the data-parallel step of micro-batches of half the batch on one or two
 * workers ({@code workers1}, {@code workers2}: {@code --micro-batch B/2 --workers N}, bitwise the same
 * weights for both). Reported, never asserted: the second vCPU comes and goes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class DataParallelBenchmark {

  @Param({"digits", "mnist", "wide"})
  public String network;

  @Param({"fused", "rows2", "workers1", "workers2"})
  public String arrangement;

  private Program program;

  @Setup(Level.Trial)
  public void compile() {
    ModelSpec spec = Networks.spec(network);
    CompileOptions options = CompileOptions.defaults().withClipGradNorm(spec.clipGradNorm());
    program = switch (arrangement) {
      case "fused" -> Compiler.compile(spec.forward(), spec.optimizer(), options).program(new Target(Target.Kind.VECTOR, 1));
      case "rows2" -> Compiler.compile(spec.forward(), spec.optimizer(), options).program(new Target(Target.Kind.VECTOR, 2));
      case "workers1", "workers2" -> Compiler.dataParallel(spec.withBatch(spec.batch() / 2).forward(), spec.optimizer(), options)
          .program(Target.vector(), spec.batch(), arrangement.equals("workers1") ? 1 : 2);
      default -> throw new IllegalArgumentException("unknown arrangement " + arrangement);
    };
    RandomInputs.fill(program, 42);
  }

  @TearDown(Level.Trial)
  public void close() {
    program.close();
  }

  @Benchmark
  public float step() {
    return program.step();
  }
}
