package dev.fusebox.bench;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Compiler.Compilation;
import dev.fusebox.codegen.Backend;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Kernel;
import dev.fusebox.ops.MatMul;
import dev.fusebox.passes.memory.MemoryPlanner;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import java.util.ArrayList;
import java.util.List;

/**
 * How a network runs in a benchmark: the reference interpreter in float32, generated plain Java
 * loops, generated Vector API kernels, or vector kernels with kernel fusion turned off (one kernel
 * per node). Every mode compiles the same graph through the same passes otherwise.
 */
public enum RunMode {
  INTERPRETER, SCALAR, VECTOR, VECTOR_UNFUSED;

  /** The names JMH's {@code mode} parameter takes. */
  public static final String ALL = "interpreter,scalar,vector,vector_unfused";

  public static RunMode parse(String text) {
    return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
  }

  /** The options this mode compiles with. */
  public CompileOptions options(ModelSpec spec) {
    CompileOptions o = CompileOptions.defaults().withClipGradNorm(spec.clipGradNorm());
    return this == VECTOR_UNFUSED ? o.withoutPasses("kernel_fusion") : o;
  }

  /** Compiles the spec's training graph as this mode does. */
  public Compilation compile(ModelSpec spec) {
    Compilation c = Compiler.compile(spec.forward(), spec.optimizer(), options(spec));
    return this == VECTOR_UNFUSED ? matmulsAsKernels(c) : c;
  }

  /**
   * With kernel fusion off, every node is its own kernel of kind {@code single}, and code generation
   * has no lowering for a matmul in a {@code single} kernel. Such a matmul is given the kernel code
   * generation does emit for it, a {@code dense} kernel with the matmul alone (no epilogue), so
   * that "fusion off" still means one kernel per node.
   */
  static Compilation matmulsAsKernels(Compilation c) {
    List<Kernel> plan = new ArrayList<>();
    boolean changed = false;
    for (Kernel k : c.fused().kernels()) {
      if (k.kind() == Kernel.Kind.SINGLE && k.nodes().size() == 1 && k.nodes().get(0).op() instanceof MatMul) {
        plan.add(new Kernel(Kernel.Kind.DENSE, k.nodes()));
        changed = true;
      } else {
        plan.add(k);
      }
    }
    if (!changed) return c;
    Graph fused = c.fused().withKernels(plan);
    return new Compilation(c.forward(), c.training(), fused, MemoryPlanner.plan(fused), c.decisions(), c.options());
  }

  /**
   * A new training program for the spec, running on {@code threads} threads. Only one thread exists
   * yet: this is the one place to pass a thread count on once kernels can use more.
   */
  public Program create(ModelSpec spec, int threads) {
    if (threads != 1) {
      throw new IllegalArgumentException("threads=" + threads + ": multi-threaded kernels are not implemented yet; run with threads=1");
    }
    Compilation c = compile(spec);
    switch (this) {
      case INTERPRETER: return Interpreter.create(c.fused(), Interpreter.Precision.FLOAT32);
      case SCALAR: return c.program(Backend.SCALAR);
      default: return c.program(Backend.VECTOR);
    }
  }
}
