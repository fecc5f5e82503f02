package dev.fusebox.bench;

import dev.fusebox.Compiler.Compilation;
import dev.fusebox.codegen.Backend;
import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.load.JaninoLoader;
import dev.fusebox.model.ModelSpec;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long it takes to get a trainer: {@code janino} compiles each network's generated vector source
 * (made once, in setup) through a loader that never caches, so every call is a full Janino compile and
 * class definition; {@code pipeline} is the whole way from the spec's graph: passes, memory planning,
 * code generation and the Janino compile.
 *
 * <p>Run as it is, this is the warm figure (Janino itself JIT-compiled, as in a long-lived process).
 * The cold figure, the first compile in a fresh JVM, is the same benchmark in single-shot mode with
 * no warm-up and many forks: {@code -bm ss -wi 0 -i 1 -f 10}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class CompileBenchmark {

  @Param({"tiny", "xor", "digits", "mnist", "wide"})
  public String network;

  private ModelSpec spec;
  private ProgramEmitter.Source source;

  @Setup
  public void generate() {
    spec = Networks.spec(network);
    source = RunMode.VECTOR.compile(spec).source(Backend.VECTOR);
  }

  @Benchmark
  public Object janino() {
    return new JaninoLoader(0).load(source);
  }

  @Benchmark
  public Object pipeline() {
    Compilation c = RunMode.VECTOR.compile(spec);
    return new JaninoLoader(0).load(c.source(Backend.VECTOR));
  }
}
