package dev.fusebox.bench;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Compiler.Compilation;
import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.Program;
import java.util.Locale;

/**
 * How a network runs in a benchmark: a {@link Target} (the reference interpreter in float32, generated
 * plain Java loops, generated Vector API kernels), and whether kernel fusion is on; {@code vector_unfused}
 * is vector kernels with fusion off (one kernel per node). Every mode compiles the same graph through the
 * same passes otherwise.
 *
 * @param name the mode's name, as JMH's {@code mode} parameter takes it
 * @param target where the program runs
 * @param fused whether the {@code kernel_fusion} pass runs
 */
public record RunMode(String name, Target target, boolean fused) {

  /** The names JMH's {@code mode} parameter takes. */
  public static final String ALL = "interpreter,scalar,vector,vector_unfused";

  /** Vector kernels, fused. */
  public static final RunMode VECTOR = parse("vector");

  /** A mode by name: a target's name, or {@code vector_unfused}. */
  public static RunMode parse(String text) {
    String name = text.strip().toLowerCase(Locale.ROOT);
    if (name.equals("vector_unfused")) return new RunMode(name, Target.vector(), false);
    return new RunMode(name, Target.parse(name), true);
  }

  /** The options this mode compiles with. */
  public CompileOptions options(ModelSpec spec) {
    CompileOptions o = CompileOptions.defaults().withClipGradNorm(spec.clipGradNorm());
    return fused ? o : o.withoutPasses("kernel_fusion");
  }

  /** Compiles the spec's training graph as this mode does. */
  public Compilation compile(ModelSpec spec) {
    return Compiler.compile(spec.forward(), spec.optimizer(), options(spec));
  }

  /**
   * A new training program for the spec; compiled modes run their large matmuls on {@code threads}
   * threads (the interpreter has one). Close it to stop its worker threads.
   */
  public Program create(ModelSpec spec, int threads) {
    return compile(spec).program(target.withThreads(threads));
  }
}
