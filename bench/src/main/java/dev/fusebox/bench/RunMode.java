package dev.fusebox.bench;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Compiler.Compilation;
import dev.fusebox.codegen.Backend;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;

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

  /** The options this mode compiles with, on {@code threads} kernel threads. */
  public CompileOptions options(ModelSpec spec, int threads) {
    CompileOptions o = CompileOptions.defaults().withClipGradNorm(spec.clipGradNorm()).withThreads(threads);
    return this == VECTOR_UNFUSED ? o.withoutPasses("kernel_fusion") : o;
  }

  /** Compiles the spec's training graph as this mode does, on one thread. */
  public Compilation compile(ModelSpec spec) {
    return compile(spec, 1);
  }

  Compilation compile(ModelSpec spec, int threads) {
    return Compiler.compile(spec.forward(), spec.optimizer(), options(spec, threads));
  }

  /**
   * A new training program for the spec; compiled modes run their large matmuls on {@code threads}
   * threads (the interpreter has one). Close it to stop its worker threads.
   */
  public Program create(ModelSpec spec, int threads) {
    Compilation c = compile(spec, threads);
    switch (this) {
      case INTERPRETER: return Interpreter.create(c.fused(), Interpreter.Precision.FLOAT32);
      case SCALAR: return c.program(Backend.SCALAR);
      default: return c.program(Backend.VECTOR);
    }
  }
}
