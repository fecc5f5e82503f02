package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.BatchAxes;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.Program;
import dev.fusebox.testing.RandomGraphs;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Compiled programs on random graphs of every shape the builder accepts ({@link RandomGraphs}),
 * against the float64 interpreter running the training graph before any pass: the loss of every
 * training step, the parameters and optimizer state after them, the gradients of a program compiled
 * without an optimizer, and the outputs of an inference run. Each seed picks an optimizer (every one,
 * with and without weight decay) and a target (scalar kernels, vector kernels, vector kernels on two
 * threads), and a fewer valid rows in one of its steps; every 50th graph is large enough for vector
 * tiles, packed panels and parallel row chunks.
 *
 * <p>CI runs {@code fusebox.random.seeds} seeds (default 2000) from {@code fusebox.random.first}
 * (default 1); the longer run is {@code mvn -pl compiler -am verify -Dtest=RandomGraphDifferentialTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfusebox.random.seeds=50000}. A failure names the seed:
 * rerun it alone with {@code -Dfusebox.random.first=SEED -Dfusebox.random.seeds=1}.
 *
 * <p>Tolerance: float32 arithmetic in a different order drifts from float64 by rounding, and some graphs
 * amplify it; the float32 interpreter measures how much a tensor drifts on its own, so an element
 * passes when the compiled error is within 1e-4 + 1e-3·|expected| + 4·(the float32 interpreter's
 * largest error in that tensor). A miscompilation is off by orders of magnitude more.
 */
class RandomGraphDifferentialTest {
  static final int STEPS = 5;
  /** A float64 loss this large means training diverged; comparison stops there. */
  static final double DIVERGED = 1e6;

  /**
   * Every optimizer, with and without weight decay. The optimizers that divide by a gradient's running
   * magnitude get ε = 1e-3: with PyTorch's 1e-8 a gradient that is zero in exact arithmetic (a bias
   * before a row-mean subtraction, say) is float noise that they scale up to a full step, differently in
   * float32 and float64, which says nothing about the compiler. Their default ε is checked elsewhere.
   */
  static final double EPS = 1e-3;

  static final List<Optimizer> OPTIMIZERS = List.of(Optimizer.sgd(0.05), Optimizer.sgd(0.05).withWeightDecay(0.05), Optimizer.sgd(0.05).withMomentum(0.9),
      Optimizer.sgd(0.05).withMomentum(0.9).withDampening(0.5).withWeightDecay(0.01),
      Optimizer.sgd(0.05).withMomentum(0.9).withNesterov(true).withWeightDecay(0.01), Optimizer.adam(0.01).withEps(EPS),
      Optimizer.adam(0.01).withEps(EPS).withWeightDecay(0.05), Optimizer.adam(0.01).withEps(EPS).withAmsgrad(true), Optimizer.adamW(0.01).withEps(EPS),
      Optimizer.adamW(0.01).withEps(EPS).withWeightDecay(0.1).withAmsgrad(true), Optimizer.rmsProp(0.01).withEps(EPS),
      Optimizer.rmsProp(0.01).withEps(EPS).withMomentum(0.5).withCentered(true).withWeightDecay(0.01), Optimizer.adagrad(0.1).withEps(EPS),
      Optimizer.adagrad(0.1).withEps(EPS).withLrDecay(0.01).withInitialAccumulator(0.1).withWeightDecay(0.01));

  static final List<Target> TARGETS = List.of(Target.scalar(), Target.vector(), Target.vector().withThreads(2));

  @Test
  void compiledProgramsTrainLikeTheFloat64InterpreterOnRandomGraphs() {
    long first = Long.getLong("fusebox.random.first", 1), count = Long.getLong("fusebox.random.seeds", 2000);
    List<String> failures = new ArrayList<>();
    LongStream.range(first, first + count).forEach(seed -> {
      try {
        check(seed);
      } catch (AssertionError | RuntimeException e) {
        failures.add("seed " + seed + ": " + e.getMessage().lines().limit(6).reduce((a, b) -> a + "\n  " + b).orElse(""));
      }
    });
    assertThat(failures).as("%d of %d seeds failed", failures.size(), count).isEmpty();
  }

  static void check(long seed) {
    boolean large = seed % 50 == 0;
    Graph forward = RandomGraphs.forward(seed, large ? RandomGraphs.Size.LARGE : RandomGraphs.Size.SMALL);
    Optimizer optimizer = OPTIMIZERS.get((int) (seed % OPTIMIZERS.size()));
    Target target = large ? TARGETS.get(2) : TARGETS.get((int) (seed / OPTIMIZERS.size() % TARGETS.size()));
    CompileOptions options = CompileOptions.defaults().withDebug(0);
    String what = optimizer + ", " + target;

    Compiler.Compilation c = Compiler.compile(forward, optimizer, options);
    Interpreter f64 = Interpreter.create(c.training(), Precision.FLOAT64), f32 = Interpreter.create(c.training(), Precision.FLOAT32);
    SplittableRandom rng = new SplittableRandom(seed);
    int validStep = rng.nextInt(STEPS), validRows = 1 + rng.nextInt(f64.batchSize());
    try (Program p = c.program(target)) {
      for (int step = 0; step < STEPS; step++) {
        Executors.feed(forward, rng.split(), f64, f32, p);
        int rows = step == validStep ? validRows : f64.batchSize();
        for (Program q : List.of(f64, f32, p)) q.setValidRows(rows);
        float expected = (float) f64.step(), drift = f32.step(), actual = p.step();
        if (!(Math.abs(expected) < DIVERGED)) return; // the graph diverges: beyond here values are chaos, not a compiler's doing
        compare(what + ", loss of step " + step, new float[] {expected}, new float[] {drift}, new float[] {actual});
      }
      for (String name : p.state().names()) compare(what + ", " + name, f64.read(name), f32.read(name), p.read(name));
      // Inference on a partial batch: outputs agree on the rows that hold data (the rest are not computed).
      for (Program q : List.of(f64, f32, p)) {
        q.setValidRows(validRows);
        q.forward();
      }
      for (String out : List.of("prediction", "loss")) {
        Node node = forward.output(out);
        compare(what + ", forward " + out, validPart(forward, node, f64.read(out), validRows), validPart(forward, node, f32.read(out), validRows),
            validPart(forward, node, p.read(out), validRows));
      }
    }

    Compiler.Compilation grads = Compiler.compile(forward, null, options);
    Interpreter g64 = Interpreter.create(grads.training(), Precision.FLOAT64), g32 = Interpreter.create(grads.training(), Precision.FLOAT32);
    try (Program p = grads.program(target)) {
      Executors.feed(forward, new SplittableRandom(~seed), g64, g32, p);
      g64.step();
      g32.step();
      p.step();
      for (String name : p.parameterNames()) {
        compare(target + ", gradient of " + name, g64.read(name + ".grad"), g32.read(name + ".grad"), p.read(name + ".grad"));
      }
    }
  }

  /** The rows of {@code n}'s value that a batch of {@code rows} valid rows computes: all, unless its rows run along the batch. */
  static float[] validPart(Graph g, Node n, float[] values, int rows) {
    return BatchAxes.rows(g.batchAxes(n)) && n.shape().rank() == 2 ? java.util.Arrays.copyOf(values, rows * n.shape().cols()) : values;
  }

  /** Element by element: the compiled value is as close to float64 as rounding explains (see the class comment). */
  static void compare(String what, float[] expected, float[] float32, float[] actual) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    double drift = 0;
    for (int i = 0; i < expected.length; i++) drift = Math.max(drift, Math.abs((double) float32[i] - expected[i]));
    for (int i = 0; i < expected.length; i++) {
      double error = Math.abs((double) actual[i] - expected[i]);
      double tolerance = 1e-4 + 1e-3 * Math.abs(expected[i]) + 4 * drift;
      if (!(error <= tolerance)) {
        throw new AssertionError(String.format("%s[%d]: expected %s (float32 interpreter %s), compiled %s", what, i, expected[i], float32[i],
            actual[i]));
      }
    }
  }
}
