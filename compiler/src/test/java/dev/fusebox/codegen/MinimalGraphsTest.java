package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.ops.Axis;
import dev.fusebox.optim.Adagrad;
import dev.fusebox.optim.Adam;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.init.Initializers;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The smallest graphs of each class that kernel fusion once miscompiled, trained on every target
 * against the float64 interpreter running the training graph before any pass.
 */
class MinimalGraphsTest {

  /** P and Q both parameters of one matmul: each one's gradient reads the other's old value. */
  static Graph twoParametersOfOneMatmul() {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor p = g.parameter("P", Initializers.normal(0, 1), 2, 3), q = g.parameter("Q", Initializers.normal(0, 1), 4, 3);
    return g.loss(g.mean(g.square(g.matmul(p, q, false, true)))).build();
  }

  /** A weight read by a matmul and by a reduction whose value joins the loss: once a cycle of kernels. */
  static Graph weightAlsoReadByAReduction() {
    GraphBuilder g = GraphBuilder.create(2);
    Tensor x = g.input("x", 3, 5);
    Tensor w0 = g.parameter("W0", Initializers.normal(0, 1), 5, 9), w = g.parameter("W", Initializers.normal(0, 1), 9, 14);
    return g.loss(g.add(g.mean(g.matmul(g.matmul(x, w0), w)), g.tanh(g.mean(w)))).build();
  }

  /** A learned scalar broadcast over a parameter: once a cycle of kernels with Adam. */
  static Graph learnedScalar() {
    GraphBuilder g = GraphBuilder.create(3);
    Tensor p = g.parameter("P", Initializers.normal(0, 1), 4, 3), c = g.parameter("c", Initializers.normal(0, 1), 1);
    return g.loss(g.mean(g.square(g.mul(p, c)))).build();
  }

  /** A value feeding two matmuls of one backward kernel: once read from a tile that was never stored. */
  static Graph valueFeedingTwoMatmuls() {
    GraphBuilder g = GraphBuilder.create(4);
    Tensor a = g.sum(g.input("x", 4, 2), Axis.PER_ROW);
    Tensor p = g.parameter("p", Initializers.normal(0, 1), 3, 1);
    return g.loss(g.mean(g.matmul(a, g.matmul(a, p, false, true), true, false))).build();
  }

  static Stream<Arguments> cases() {
    List<Supplier<Graph>> graphs = List.of(MinimalGraphsTest::twoParametersOfOneMatmul, MinimalGraphsTest::weightAlsoReadByAReduction,
        MinimalGraphsTest::learnedScalar, MinimalGraphsTest::valueFeedingTwoMatmuls);
    List<String> names = List.of("two parameters of one matmul", "weight also read by a reduction", "learned scalar",
        "value feeding two matmuls");
    List<Optimizer> optimizers = List.of(Optimizer.sgd(0.1), Optimizer.sgd(0.1).withMomentum(0.9).withWeightDecay(0.01), Optimizer.adam(0.01),
        Optimizer.adamW(0.01));
    List<Arguments> out = new ArrayList<>();
    for (int i = 0; i < graphs.size(); i++) {
      for (Optimizer o : optimizers) {
        for (Target t : RandomGraphDifferentialTest.TARGETS) out.add(Arguments.of(names.get(i), graphs.get(i), o, t));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}, {2}, {3}")
  @MethodSource("cases")
  void trainsLikeTheFloat64Interpreter(String name, Supplier<Graph> graph, Optimizer optimizer, Target target) {
    Graph forward = graph.get();
    Compiler.Compilation c = Compiler.compile(forward, optimizer, CompileOptions.defaults().withDebug(0));
    Interpreter f64 = Interpreter.create(c.training(), Precision.FLOAT64), f32 = Interpreter.create(c.training(), Precision.FLOAT32);
    SplittableRandom rng = new SplittableRandom(7);
    try (Program p = c.program(target)) {
      for (int step = 0; step < 10; step++) {
        Executors.feed(forward, rng.split(), f64, f32, p);
        float expected = f64.step(), drift = f32.step(), actual = p.step();
        RandomGraphDifferentialTest.compare("loss of step " + step, new float[] {expected}, new float[] {drift}, new float[] {actual});
      }
      for (String n : p.state().names()) RandomGraphDifferentialTest.compare(n, f64.read(n), f32.read(n), p.read(n));
    }
  }

  static Stream<Optimizer> decaying() {
    return Stream.of(Optimizer.sgd(0.1).withWeightDecay(0.1), Optimizer.sgd(0.1).withMomentum(0.9).withWeightDecay(0.1), Optimizer.adam(0.01).withWeightDecay(0.1),
        Optimizer.adamW(0.01), Optimizer.adagrad(0.1).withWeightDecay(0.1));
  }

  /** As torch.optim: a parameter no gradient reaches is not touched, weight decay or not, and has no state. */
  @ParameterizedTest
  @MethodSource("decaying")
  void aParameterTheLossDoesNotReachIsLeftAlone(Optimizer optimizer) {
    GraphBuilder g = GraphBuilder.create(5);
    Tensor used = g.parameter("used", Initializers.normal(0, 1), 2, 3);
    g.parameter("dead", Initializers.normal(0, 1), 3);
    Graph forward = g.loss(g.mean(g.square(g.matmul(g.input("x", 4, 2), used)))).build();
    Compiler.Compilation c = Compiler.compile(forward, optimizer, CompileOptions.defaults().withDebug(0));
    for (Program p : List.of(c.program(Target.scalar()), c.program(Target.vector()), Interpreter.create(c.training()))) {
      float[] before = p.read("dead"), usedBefore = p.read("used");
      for (int step = 0; step < 3; step++) {
        Executors.feed(forward, new SplittableRandom(step), p);
        p.step();
      }
      assertThat(p.read("dead")).as("dead after 3 steps").containsExactly(before);
      assertThat(p.read("used")).as("used after 3 steps").isNotEqualTo(usedBefore);
      NamedTensors state = p.state();
      assertThat(state.names()).as("optimizer state").noneMatch(n -> n.startsWith("dead."));
      p.close();
    }
  }

  @ParameterizedTest
  @MethodSource("decaying")
  void aLossThatReachesNoParameterIsAClearError(Optimizer optimizer) {
    GraphBuilder g = GraphBuilder.create(6);
    g.parameter("w", Initializers.normal(0, 1), 3);
    Graph forward = g.loss(g.mean(g.square(g.input("x", 4, 2)))).build();
    assertThatThrownBy(() -> Compiler.compile(forward, optimizer, CompileOptions.defaults().withDebug(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not depend on any trainable parameter (w)");
  }

  /**
   * A gradient that simplifies to a constant zero (the parameter is multiplied by 0) makes Adagrad's
   * accumulator update fold to the accumulator itself: an update of a variable to its own value.
   */
  @ParameterizedTest
  @MethodSource("decaying")
  void anUpdateThatSimplifiesToTheVariableItselfIsANoOp(Optimizer optimizer) {
    GraphBuilder g = GraphBuilder.create(7);
    Tensor w = g.parameter("w", Initializers.normal(0, 1), 3), v = g.parameter("v", Initializers.normal(0, 1), 3);
    Tensor x = g.input("x", 4, 3);
    Graph forward = g.loss(g.add(g.mean(g.mul(x, w)), g.mean(g.mul(g.mul(x, v), g.constant(0))))).build();
    Compiler.Compilation c = Compiler.compile(forward, optimizer, CompileOptions.defaults().withDebug(0));
    Interpreter f64 = Interpreter.create(c.training(), Precision.FLOAT64), f32 = Interpreter.create(c.training(), Precision.FLOAT32);
    try (Program p = c.program()) {
      for (int step = 0; step < 3; step++) {
        Executors.feed(forward, new SplittableRandom(step), f64, f32, p);
        f64.step();
        f32.step();
        p.step();
      }
      for (String n : p.state().names()) RandomGraphDifferentialTest.compare(n, f64.read(n), f32.read(n), p.read(n));
    }
  }
}
