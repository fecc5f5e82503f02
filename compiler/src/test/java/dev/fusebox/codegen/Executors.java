package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.load.JaninoLoader;
import dev.fusebox.load.JavacLoader;
import dev.fusebox.ops.Input;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.Program;
import java.util.List;
import java.util.SplittableRandom;

/** The executors every differential test compares, named for test output; and shared helpers. */
enum Executors {
  INTERPRETER, SCALAR_JANINO, VECTOR_JANINO, SCALAR_JAVAC, VECTOR_JAVAC;

  static final List<Executors> COMPILED = List.of(SCALAR_JANINO, VECTOR_JANINO, SCALAR_JAVAC, VECTOR_JAVAC);
  static final JavacLoader JAVAC = new JavacLoader();

  /** The vector lane count of this machine (16 floats with AVX-512). */
  static final int LANES = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();

  Program create(Compiler.Compilation c) {
    if (this == INTERPRETER) return c.program(Target.interpreter());
    Target target = name().startsWith("VECTOR") ? Target.vector() : Target.scalar();
    CompileOptions o = c.options().withLoader(name().endsWith("JAVAC") ? JAVAC : JaninoLoader.shared());
    return new Compiler.Compilation(c.forward(), c.training(), c.fused(), c.memory(), c.decisions(), o).program(target);
  }

  static Compiler.Compilation compile(Graph forward, Optimizer optimizer) {
    return Compiler.compile(forward, optimizer, CompileOptions.defaults().withDebug(0).withVerify(true));
  }

  /** Fills every batch input of the programs with the same seeded values. */
  static void feed(Graph g, SplittableRandom rng, Program... programs) {
    for (Node n : g.nodes()) {
      if (!(n.op() instanceof Input in) || in.kind() == InputKind.SCALAR) continue;
      if (in.kind() == InputKind.LABELS) {
        int[] labels = rng.ints(n.shape().size(), 0, in.classes()).toArray();
        for (Program p : programs) p.setLabels(n.name(), labels);
        continue;
      }
      float[] v = new float[n.shape().size()];
      if (in.kind() == InputKind.ONE_HOT) {
        for (int r = 0; r < n.shape().rows(); r++) v[r * n.shape().cols() + rng.nextInt(n.shape().cols())] = 1;
      } else {
        for (int i = 0; i < v.length; i++) v[i] = (float) (in.kind() == InputKind.FEATURES ? rng.nextGaussian() : rng.nextDouble());
      }
      for (Program p : programs) p.setInput(n.name(), v);
    }
  }

  /** |a − b| ≤ abs + rel·max(|a|, |b|) element by element. */
  static void assertClose(String what, float[] expected, float[] actual, double rel, double abs) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      double tol = abs + rel * Math.max(Math.abs(expected[i]), Math.abs(actual[i]));
      assertThat((double) actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i], within(tol));
    }
  }
}
