package dev.fusebox.codegen;

import static dev.fusebox.codegen.Executors.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.Compiler;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.init.Initializers;
import dev.fusebox.testing.RandomGraphs;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compiled programs (scalar and vector kernels, compiled by Janino and by javac) against the
 * interpreter: on random graphs over several training steps, and op by op at sizes that hit every
 * vector tail.
 */
class DifferentialTest {
  static final int L = Executors.LANES;

  static Stream<Arguments> randomGraphs() {
    List<Arguments> a = new ArrayList<>();
    for (long seed = 1; seed <= 40; seed++) {
      for (Executors e : Executors.COMPILED) {
        if (e.name().endsWith("JAVAC") && seed % 8 != 0) continue; // javac is slow: a sample
        a.add(Arguments.of(seed, e));
      }
    }
    return a.stream();
  }

  @ParameterizedTest(name = "seed {0} {1}")
  @MethodSource("randomGraphs")
  void randomGraphsTrainLikeTheInterpreter(long seed, Executors executor) {
    Graph g = RandomGraphs.forward(seed);
    Compiler.Compilation c = Executors.compile(g, seed % 2 == 0 ? Optimizer.sgd(0.05).withMomentum(0.9) : Optimizer.adam(0.01));
    Program ref = Executors.INTERPRETER.create(c), p = executor.create(c);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int step = 0; step < 10; step++) {
      Executors.feed(c.forward(), rng.split(), ref, p);
      if (step == 3) {
        ref.setValidRows(Math.max(1, ref.batchSize() - 1));
        p.setValidRows(Math.max(1, p.batchSize() - 1));
      }
      float expected = ref.step(), actual = p.step();
      assertClose("seed " + seed + " loss at step " + step, new float[] {expected}, new float[] {actual}, 1e-3, 1e-4);
    }
    for (String name : ref.parameterNames()) assertClose("seed " + seed + " " + name, ref.read(name), p.read(name), 2e-3, 2e-4);
    ref.forward();
    p.forward();
    int valid = Math.max(1, ref.batchSize() - 1); // the partial batch set at step 3: its last row is not computed
    dev.fusebox.ir.Node prediction = g.output("prediction");
    assertClose("seed " + seed + " prediction", RandomGraphDifferentialTest.validPart(g, prediction, ref.read("prediction"), valid),
        RandomGraphDifferentialTest.validPart(g, prediction, p.read("prediction"), valid), 2e-3, 2e-4);
    assertClose("seed " + seed + " loss after forward", ref.read("loss"), p.read("loss"), 2e-3, 2e-4);
  }

  static Stream<Arguments> optimizers() {
    Optimizer[] all = {Optimizer.sgd(0.05), Optimizer.sgd(0.05).withWeightDecay(0.01), Optimizer.sgd(0.05).withMomentum(0.9),
        Optimizer.sgd(0.05).withMomentum(0.9).withDampening(0.5),
        Optimizer.sgd(0.05).withMomentum(0.9).withNesterov(true).withWeightDecay(0.01),
        Optimizer.adam(0.01), Optimizer.adam(0.01).withBetas(0.8, 0.99).withWeightDecay(0.01), Optimizer.adam(0.01).withAmsgrad(true),
        Optimizer.adamW(0.01).withWeightDecay(0.1), Optimizer.rmsProp(0.01), Optimizer.rmsProp(0.01).withMomentum(0.5).withAlpha(0.9),
        Optimizer.rmsProp(0.01).withCentered(true).withWeightDecay(0.01), Optimizer.adagrad(0.1),
        Optimizer.adagrad(0.1).withLrDecay(0.01).withInitialAccumulator(0.1).withWeightDecay(0.01)};
    List<Arguments> a = new ArrayList<>();
    for (int i = 0; i < all.length; i++) a.add(Arguments.of(i, all[i]));
    return a.stream();
  }

  /** Every optimizer and option, compiled: updates, state and the first-step special cases agree with the interpreter. */
  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("optimizers")
  void everyOptimizerTrainsLikeTheInterpreter(int index, Optimizer optimizer) {
    Graph g = RandomGraphs.forward(100 + index);
    Compiler.Compilation c = Executors.compile(g, optimizer);
    for (Executors e : List.of(Executors.SCALAR_JANINO, Executors.VECTOR_JANINO)) {
      Program ref = Executors.INTERPRETER.create(c), p = e.create(c);
      SplittableRandom rng = new SplittableRandom(index);
      for (int step = 0; step < 4; step++) {
        Executors.feed(c.forward(), rng.split(), ref, p);
        assertClose(e + " loss at step " + step, new float[] {ref.step()}, new float[] {p.step()}, 1e-3, 1e-4);
      }
      for (String name : ref.parameterNames()) assertClose(e + " " + name, ref.read(name), p.read(name), 2e-3, 2e-4);
    }
  }

  /** Sizes that hit every path of the vector loops: 1, 3, L−1, L, L+1, 2L+3 and one large. */
  static int[] sizes() {
    return new int[] {1, 3, L - 1, L, L + 1, 2 * L + 3, 100};
  }

  static Stream<Arguments> opsAndSizes() {
    List<Arguments> a = new ArrayList<>();
    String[] ops = {"dense relu", "dense sigmoid", "dense tanh", "dense gelu", "dense gelu_tanh", "dense elu", "dense softplus",
        "dense swish(learned)", "dense prelu", "dense maxout(2)", "dense hard_tanh", "dense hard_sigmoid", "dense leaky_relu(0.1)",
        "softmax", "log_softmax", "transpose", "sum per_row", "mean per_column", "sum", "mse", "bce", "abs", "sqrt", "div", "dropout"};
    for (String op : ops) for (int n : sizes()) a.add(Arguments.of(op, n));
    return a.stream();
  }

  static Graph single(String op, int n) {
    GraphBuilder g = GraphBuilder.create(n);
    int rows = Math.min(n, 7);
    Tensor x = g.input("x", rows, n);
    Tensor w = g.parameter("w", Initializers.normal(0, 1), rows, n);
    Tensor h = g.add(x, w);
    Tensor y;
    if (op.startsWith("dense ")) {
      y = g.dense("d", h, n, Activation.parse(op.substring(6)));
    } else {
      y = switch (op) {
        case "softmax" -> g.softmax(h);
        case "log_softmax" -> g.logSoftmax(h);
        case "transpose" -> g.transpose(h);
        case "sum per_row" -> g.sum(h, dev.fusebox.ops.Axis.PER_ROW);
        case "mean per_column" -> g.mean(h, dev.fusebox.ops.Axis.PER_COLUMN);
        case "sum" -> g.sum(h);
        case "abs" -> g.abs(h);
        case "sqrt" -> g.sqrt(g.affine(g.square(h), 1, 0.5));
        case "div" -> g.div(h, g.affine(g.square(w), 1, 0.5));
        case "dropout" -> g.dropout(h, 0.3);
        default -> h;
      };
    }
    Tensor loss = switch (op) {
      case "mse" -> g.mse(h, g.targets("t", rows, n));
      case "bce" -> g.bceWithLogits(h, g.targets("t", rows, n));
      default -> g.sum(g.mul(y, g.constant(weights(y.shape().size(), n), y.shape().dims())));
    };
    return g.output("prediction", y).loss(loss).build();
  }

  static double[] weights(int size, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] c = new double[size];
    for (int i = 0; i < size; i++) c[i] = rng.nextDouble(-1, 1);
    return c;
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("opsAndSizes")
  void everyOpsValueAndGradientMatchTheInterpreter(String op, int n) {
    Compiler.Compilation c = Executors.compile(single(op, n), null);
    for (Executors e : List.of(Executors.SCALAR_JANINO, Executors.VECTOR_JANINO)) {
      Program ref = Executors.INTERPRETER.create(c), p = e.create(c);
      Executors.feed(c.forward(), new SplittableRandom(n), ref, p);
      float lossRef = ref.step(), loss = p.step();
      assertClose(e + " " + op + " loss", new float[] {lossRef}, new float[] {loss}, 1e-4, 1e-5);
      assertClose(e + " " + op + " value", ref.read("prediction"), p.read("prediction"), 1e-4, 1e-5);
      for (String name : ref.parameterNames()) {
        assertClose(e + " " + op + " d" + name, ref.read(name + ".grad"), p.read(name + ".grad"), 1e-3, 1e-5);
      }
    }
    assertThat(c.fused().kernels()).isNotEmpty();
  }

  static Stream<Arguments> matmulShapes() {
    List<Arguments> a = new ArrayList<>();
    // n = 6L + 3: one tile of 6 vectors, then a partial vector; n = 11L + 3: a tile of 6 vectors, one
    // of 4, one single vector and a partial one; n = 2L + 1 (narrow tiles): two single vectors and a
    // partial one; a transposed A is packed into micro-panels of four rows, sixteen rows per pass and then
    // four (m = 70: 68 rows), its rows left over (m = 70, 69, 5) read where they are
    int[][] shapes = {{70, 130, 6 * L + 3}, {66, 520, 5}, {5, 140, 6 * L + 3}, {66, 129, 11 * L + 3}, {69, 130, 2 * L + 1}};
    for (int[] s : shapes) for (String layout : new String[] {"nn", "nt", "tn", "tt"}) a.add(Arguments.of(layout, s[0], s[1], s[2]));
    return a.stream();
  }

  /** Matmuls large enough that the vector backend packs B into panels, with partial panels and row tails. */
  @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
  @MethodSource("matmulShapes")
  void largeMatmulsAndTheirGradientsMatchTheInterpreter(String layout, int m, int k, int n) {
    boolean transA = layout.charAt(0) == 't', transB = layout.charAt(1) == 't';
    GraphBuilder g = GraphBuilder.create(m + k + n);
    Tensor a = transA ? g.parameter("a", Initializers.normal(0, 1), k, m) : g.parameter("a", Initializers.normal(0, 1), m, k);
    Tensor b = transB ? g.parameter("b", Initializers.normal(0, 1), n, k) : g.parameter("b", Initializers.normal(0, 1), k, n);
    Tensor c = g.matmul(a, b, transA, transB);
    // weights as an input, not a constant: a constant this large would not fit a class initializer
    Tensor loss = g.sum(g.mul(c, g.input("w", m, n)));
    Compiler.Compilation compiled = Executors.compile(g.output("prediction", c).loss(loss).build(), null);
    double[] weights = weights(m * n, k);
    float[] w = new float[weights.length];
    for (int i = 0; i < w.length; i++) w[i] = (float) weights[i];
    for (Executors e : List.of(Executors.SCALAR_JANINO, Executors.VECTOR_JANINO)) {
      Program ref = Executors.INTERPRETER.create(compiled), p = e.create(compiled);
      ref.setInput("w", w);
      p.setInput("w", w);
      float lossRef = ref.step(), lossP = p.step();
      assertClose(e + " loss", new float[] {lossRef}, new float[] {lossP}, 1e-4, 1e-3);
      assertClose(e + " value", ref.read("prediction"), p.read("prediction"), 1e-4, 1e-4);
      for (String name : List.of("a", "b")) assertClose(e + " d" + name, ref.read(name + ".grad"), p.read(name + ".grad"), 1e-4, 1e-4);
    }
  }

  /** With kernel fusion switched off every node is its own kernel; the programs must still be right. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("unfusedSeeds")
  void unfusedProgramsTrainLikeTheInterpreter(long seed) {
    Graph g = RandomGraphs.forward(seed);
    Compiler.Compilation c = Compiler.compile(g, Optimizer.adam(0.01),
        dev.fusebox.CompileOptions.defaults().withDebug(0).withVerify(true).withoutPasses("kernel_fusion"));
    assertThat(c.fused().kernels()).allSatisfy(k -> assertThat(k.nodes()).hasSize(1));
    for (Executors e : List.of(Executors.SCALAR_JANINO, Executors.VECTOR_JANINO)) {
      Program ref = Executors.INTERPRETER.create(c), p = e.create(c);
      SplittableRandom rng = new SplittableRandom(seed);
      for (int step = 0; step < 3; step++) {
        Executors.feed(c.forward(), rng.split(), ref, p);
        assertClose(e + " seed " + seed + " loss at step " + step, new float[] {ref.step()}, new float[] {p.step()}, 1e-3, 1e-4);
      }
      for (String name : ref.parameterNames()) assertClose(e + " seed " + seed + " " + name, ref.read(name), p.read(name), 2e-3, 2e-4);
    }
  }

  static Stream<Long> unfusedSeeds() {
    return Stream.of(1L, 2L, 3L, 4L, 5L, 6L);
  }
}
