package dev.fusebox.bench;

import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.codegen.Backend;
import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Kernel;
import dev.fusebox.load.JaninoLoader;
import dev.fusebox.passes.memory.MemoryPlanner;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.init.Initializers;
import java.util.List;
import java.util.Locale;
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
 * The generated matmul kernel alone: a graph {@code c = op(a)·op(b)} with {@code size}³ multiply-adds
 * and nothing else, compiled to one kernel and timed with {@link Program#forward()}. GFLOP/s =
 * 2·size³ / time (the report computes it and compares it with {@link FmaPeakBenchmark}).
 *
 * <p>{@code layout} is which operand is transposed, as in BLAS: {@code nn} is {@code a·b};
 * {@code nt} is {@code a·bᵀ}, the forward pass of a dense layer (weights are [out, in]);
 * {@code tn} is {@code aᵀ·b}, a weight gradient.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class MatmulBenchmark {

  @Param({"256", "1024"})
  public int size;

  @Param({"nn", "nt", "tn"})
  public String layout;

  @Param({"vector"})
  public String backend;

  private Program program;

  @Setup
  public void compile() {
    program = compile(size, layout, Backend.valueOf(backend.toUpperCase(Locale.ROOT)));
    RandomInputs.fill(program, 42);
  }

  /** A program computing one {@code size}×{@code size}×{@code size} matmul in the given layout. */
  static Program compile(int size, String layout, Backend backend) {
    boolean transA = layout.charAt(0) == 't';
    boolean transB = layout.charAt(1) == 't';
    GraphBuilder g = GraphBuilder.create(7);
    Tensor a = g.input("a", size, size);
    Tensor b = g.parameter("b", Initializers.uniform(-1, 1), size, size);
    Tensor c = g.matmul(a, b, transA, transB);
    Graph graph = g.output("c", c).build();
    // One kernel: the matmul alone, as code generation emits it for a dense layer without epilogue.
    Graph planned = graph.withKernels(List.of(Kernel.of(Kernel.Kind.DENSE, new dev.fusebox.ir.Stage.Matmul(c.node(), List.of()))));
    ProgramEmitter.Source source = ProgramEmitter.emit(planned, MemoryPlanner.plan(planned), backend);
    return new JaninoLoader(0).newProgram(source);
  }

  /** Floating-point operations of one call. */
  public static double flops(int size) {
    return 2.0 * size * size * size;
  }

  @Benchmark
  public void matmul() {
    program.forward();
  }
}
