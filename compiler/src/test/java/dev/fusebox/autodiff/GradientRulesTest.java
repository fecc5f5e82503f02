package dev.fusebox.autodiff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Shape;
import dev.fusebox.ops.Axis;
import dev.fusebox.ops.BroadcastTo;
import dev.fusebox.ops.SumTo;
import dev.fusebox.runtime.init.Initializers;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op's gradient rule against central differences in float64, at several random points and
 * shapes. Each case builds {@code y = op(params...)} and checks the loss {@code Σ C ⊙ y} for a fixed
 * random C, so that every output element gets a different upstream gradient.
 */
class GradientRulesTest {

  /** (rows, cols) pairs: a single element, a small odd matrix, and a wider one. */
  private static final int[][] SHAPES = {{1, 1}, {3, 4}, {5, 17}};

  private record Case(String name, BiFunction<GraphBuilder, int[], Tensor> build) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Tensor p(GraphBuilder g, String name, int... dims) {
    return g.parameter(name, Initializers.zeros(), dims);
  }

  /** A parameter kept positive (≥ 0.5), for log, sqrt and denominators. */
  private static Tensor positive(GraphBuilder g, String name, int... dims) {
    return g.affine(g.square(p(g, name, dims)), 1, 0.5);
  }

  private static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("add", (g, s) -> g.add(p(g, "a", s), p(g, "b", s))));
    c.add(new Case("add bias row", (g, s) -> g.add(p(g, "a", s), p(g, "b", s[1]))));
    c.add(new Case("add column", (g, s) -> g.add(p(g, "a", s), p(g, "b", s[0], 1))));
    c.add(new Case("sub scalar", (g, s) -> g.sub(p(g, "b"), p(g, "a", s))));
    c.add(new Case("mul bias row", (g, s) -> g.mul(p(g, "a", s), p(g, "b", s[1]))));
    c.add(new Case("div", (g, s) -> g.div(p(g, "a", s), positive(g, "b", s))));
    c.add(new Case("div broadcast", (g, s) -> g.div(p(g, "a", s[0], 1), positive(g, "b", s))));
    c.add(new Case("neg", (g, s) -> g.neg(p(g, "a", s))));
    c.add(new Case("exp", (g, s) -> g.exp(p(g, "a", s))));
    c.add(new Case("log", (g, s) -> g.log(positive(g, "a", s))));
    c.add(new Case("sqrt", (g, s) -> g.sqrt(positive(g, "a", s))));
    c.add(new Case("square", (g, s) -> g.square(p(g, "a", s))));
    c.add(new Case("abs", (g, s) -> g.abs(p(g, "a", s))));
    c.add(new Case("affine", (g, s) -> g.affine(p(g, "a", s), -1.5, 0.25)));
    c.add(new Case("matmul", (g, s) -> g.matmul(p(g, "a", s[0], 3), p(g, "b", 3, s[1]))));
    c.add(new Case("matmul transA", (g, s) -> g.matmul(p(g, "a", 3, s[0]), p(g, "b", 3, s[1]), true, false)));
    c.add(new Case("matmul transB", (g, s) -> g.matmul(p(g, "a", s[0], 3), p(g, "b", s[1], 3), false, true)));
    c.add(new Case("matmul transA transB", (g, s) -> g.matmul(p(g, "a", 3, s[0]), p(g, "b", s[1], 3), true, true)));
    c.add(new Case("matmul same operand", (g, s) -> { Tensor a = p(g, "a", s); return g.matmul(a, a, false, true); }));
    c.add(new Case("transpose", (g, s) -> g.transpose(p(g, "a", s))));
    for (Axis axis : Axis.values()) {
      c.add(new Case("sum " + axis.text(), (g, s) -> g.sum(p(g, "a", s), axis)));
      c.add(new Case("mean " + axis.text(), (g, s) -> g.mean(p(g, "a", s), axis)));
    }
    c.add(new Case("broadcast", (g, s) -> g.add(new BroadcastTo(Shape.of(s)), null, p(g, "a", s[1]))));
    c.add(new Case("sum_to", (g, s) -> g.add(new SumTo(Shape.of(1, s[1])), null, p(g, "a", s))));
    for (String name : Activation.NAMES) {
      if (name.equals("maxout")) continue;
      c.add(new Case(name, (g, s) -> g.activation(p(g, "a", s), Activation.parse(name), "layer")));
    }
    c.add(new Case("hard_sigmoid(1/6)", (g, s) -> g.hardSigmoid(g.scale(p(g, "a", s), 4), 1.0 / 6)));
    c.add(new Case("leaky_relu(0.2)", (g, s) -> g.leakyRelu(p(g, "a", s), 0.2)));
    c.add(new Case("elu(0.5)", (g, s) -> g.elu(p(g, "a", s), 0.5)));
    c.add(new Case("swish(2)", (g, s) -> g.swish(p(g, "a", s), 2)));
    c.add(new Case("swish learned", (g, s) -> g.swish(p(g, "a", s), p(g, "beta", s[1]))));
    c.add(new Case("prelu shared", (g, s) -> g.prelu(p(g, "a", s), p(g, "alpha"))));
    c.add(new Case("prelu per unit", (g, s) -> g.prelu(p(g, "a", s), p(g, "alpha", s[1]))));
    c.add(new Case("maxout k=2", (g, s) -> g.maxout(p(g, "a", s[0], 2 * s[1]), 2)));
    c.add(new Case("maxout k=3", (g, s) -> g.maxout(p(g, "a", s[0], 3 * s[1]), 3)));
    c.add(new Case("softmax", (g, s) -> g.softmax(p(g, "a", s))));
    c.add(new Case("log_softmax", (g, s) -> g.logSoftmax(p(g, "a", s))));
    c.add(new Case("dropout", (g, s) -> g.dropout(p(g, "a", s), 0.3)));
    c.add(new Case("l2", (g, s) -> g.l2(p(g, "a", s), p(g, "b", s[1]))));
    c.add(new Case("l1", (g, s) -> g.l1(p(g, "a", s))));
    c.add(new Case("mse", (g, s) -> g.mse(p(g, "a", s), g.targets("t", s[0], s[1]))));
    c.add(new Case("mse computed target", (g, s) -> g.mse(p(g, "a", s), g.tanh(p(g, "t", s)))));
    c.add(new Case("bce_with_logits computed target", (g, s) -> g.bceWithLogits(p(g, "a", s), g.sigmoid(p(g, "t", s)))));
    c.add(new Case("bce computed target", (g, s) -> g.bce(g.sigmoid(p(g, "a", s)), g.sigmoid(p(g, "t", s)))));
    c.add(new Case("cross_entropy soft targets", (g, s) -> g.crossEntropy(g.softmax(p(g, "a", s)), g.softmax(p(g, "t", s)))));
    c.add(new Case("half_mse", (g, s) -> g.halfMse(p(g, "a", s), g.targets("t", s[0], s[1]))));
    c.add(new Case("bce_with_logits", (g, s) -> g.bceWithLogits(p(g, "a", s), g.targets("t", s[0], s[1]))));
    c.add(new Case("bce", (g, s) -> g.bce(g.sigmoid(p(g, "a", s)), g.targets("t", s[0], s[1]))));
    c.add(new Case("softmax_cross_entropy labels", (g, s) -> g.softmaxCrossEntropy(p(g, "a", s[0], s[1] + 1), g.labels("y", s[0], s[1] + 1))));
    c.add(new Case("softmax_cross_entropy one-hot", (g, s) -> g.softmaxCrossEntropy(p(g, "a", s), g.oneHot("y", s[0], s[1]))));
    c.add(new Case("softmax_cross_entropy soft targets", (g, s) -> g.softmaxCrossEntropy(p(g, "a", s), g.softmax(p(g, "t", s)))));
    c.add(new Case("cross_entropy", (g, s) -> g.crossEntropy(g.softmax(p(g, "a", s[0], s[1] + 1)), g.labels("y", s[0], s[1] + 1))));
    return c;
  }

  static Stream<Arguments> casesAndShapes() {
    List<Arguments> args = new ArrayList<>();
    for (Case c : cases()) for (int[] s : SHAPES) args.add(Arguments.of(c, s[0], s[1]));
    return args.stream();
  }

  @ParameterizedTest(name = "{0} [{1}, {2}]")
  @MethodSource("casesAndShapes")
  void gradientMatchesCentralDifferences(Case c, int rows, int cols) {
    for (long seed = 1; seed <= 3; seed++) {
      GraphBuilder g = GraphBuilder.create(seed);
      Tensor y = c.build().apply(g, new int[] {rows, cols});
      g.loss(weightedSum(g, y, seed));
      Graph graph = g.build();
      GradientCheck.Report report = GradientCheck.of(graph).seed(seed).randomParameters(1.0).run();
      assertThat(report.passed()).as("%s, seed %d:%n%s", c, seed, report).isTrue();
    }
  }

  /** Σ C ⊙ y with C drawn from N(0, 1): every element of y gets its own upstream gradient. */
  static Tensor weightedSum(GraphBuilder g, Tensor y, long seed) {
    SplittableRandom rng = new SplittableRandom(seed * 7919);
    double[] c = new double[y.shape().size()];
    for (int i = 0; i < c.length; i++) c[i] = rng.nextDouble(-2, 2);
    return g.sum(g.mul(y, g.constant(c, y.shape().dims())));
  }
}
