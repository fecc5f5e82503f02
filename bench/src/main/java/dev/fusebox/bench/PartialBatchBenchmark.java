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
 * The batch as a run-time bound: the inference pass ({@link Program#forward}) of a network compiled for
 * 256 rows and run on {@code rows} valid rows, against a program compiled for exactly {@code rows}. A
 * program's cost should grow with the rows that hold data, not with the batch it was compiled for.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class PartialBatchBenchmark {

  @Param({"mnist"})
  public String network;

  @Param({"1", "16", "256"})
  public int rows;

  /** {@code exact}: compiled for {@code rows}; a number: compiled for that batch, run on {@code rows} valid rows. */
  @Param({"exact", "256"})
  public String compiledFor;

  private Program program;

  @Setup(Level.Trial)
  public void compile() {
    ModelSpec spec = Networks.spec(network);
    int batch = compiledFor.equals("exact") ? rows : Integer.parseInt(compiledFor);
    program = Compiler.inference(spec.withBatch(batch).forward(), CompileOptions.defaults()).program(Target.vector());
    RandomInputs.fill(program, 42);
    program.setValidRows(rows);
  }

  @TearDown(Level.Trial)
  public void close() {
    program.close();
  }

  @Benchmark
  public void forward() {
    program.forward();
  }
}
