package dev.fusebox.ops;

import static dev.fusebox.ops.Close.assertClose;
import static dev.fusebox.ops.Close.tol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.builder.Activation;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.ir.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PReLU and swish with learned parameters broadcast against the batch, and maxout's grouping and ties. */
class LearnedActivationsTest {

  // ---- PReLU

  @ParameterizedTest
  @EnumSource(Precision.class)
  void preluWithOneSlopePerUnitScalesEachColumnsNegatives(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 2, 3, -2, -4, 6, 3, 0, -8);
    Tensor alpha = h.parameter("alpha", new int[] {3}, 0.5, 0.25, 0.125);
    // Column j's negatives are multiplied by alpha[j]; positives and zero pass through unchanged.
    assertClose(h.eval(h.g().prelu(x, alpha), p), tol(p), -1, -1, 6, 3, 0, -1);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void preluWithASharedSlopeScalesEveryNegative(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 2, 2, -2, 1, 4, -8);
    Tensor alpha = h.g().constant(0.25);
    assertClose(h.eval(h.g().prelu(x, alpha), p), tol(p), -0.5, 1, 4, -2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void preluActivationCreatesOneSlopePerUnitStartingAtOneQuarter(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, 3, -4, 2, -1);
    Tensor y = h.g().activation(x, Activation.PRELU, "layer");
    Graph graph = h.graph(y);
    assertThat(graph.node("layer.alpha").shape()).isEqualTo(Shape.of(3));
    assertThat(graph.node("layer.alpha").op().isVariable()).isTrue();
    Interpreter it = h.start(graph, p);
    it.forward();
    assertThat(it.readDouble("layer.alpha")).containsExactly(0.25, 0.25, 0.25);
    assertThat(it.readDouble("out")).containsExactly(-1, 2, -0.25);
  }

  @Test
  void learnedActivationsNeedALayerNameForTheirParameter() {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, 3, 0, 0, 0);
    assertThatThrownBy(() -> h.g().activation(x, Activation.PRELU, null))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("needs a layer name");
  }

  // ---- learned swish

  @ParameterizedTest
  @EnumSource(Precision.class)
  void learnedSwishUsesEachUnitsBeta(Precision p) {
    OpHarness h = OpHarness.create();
    double[] xs = {-1, 0.5, 2, 1.5, -2, -0.25};
    double[] betas = {0.5, 1, 2};
    Tensor x = h.input("x", 2, 3, xs);
    Tensor beta = h.parameter("beta", new int[] {3}, betas);
    double[] expected = new double[6];
    for (int i = 0; i < 6; i++) expected[i] = xs[i] / (1 + Math.exp(-betas[i % 3] * xs[i]));
    assertClose(h.eval(h.g().swish(x, beta), p), tol(p), expected);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void learnedSwishWithASharedBetaEqualsFixedSwish(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, 4, -3, -0.5, 0.5, 3);
    double[] learned = h.eval(h.g().swish(x, h.g().constant(1.5)), p);
    double[] fixed = h.eval(h.g().swish(x, 1.5), p);
    assertThat(learned).containsExactly(fixed);
    assertClose(learned, tol(p), -3 / (1 + Math.exp(4.5)), -0.5 / (1 + Math.exp(0.75)), 0.5 / (1 + Math.exp(-0.75)),
        3 / (1 + Math.exp(-4.5)));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void learnedSwishActivationStartsAsSiluWithBetaOnePerUnit(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, 2, -1, 1);
    Graph graph = h.graph(h.g().activation(x, Activation.SWISH_LEARNED, "act"));
    assertThat(graph.node("act.beta").shape()).isEqualTo(Shape.of(2));
    Interpreter it = h.start(graph, p);
    it.forward();
    assertThat(it.readDouble("act.beta")).containsExactly(1, 1);
    assertClose(it.readDouble("out"), tol(p), -1 / (1 + Math.E), 1 / (1 + 1 / Math.E));
  }

  // ---- maxout

  @ParameterizedTest
  @EnumSource(Precision.class)
  void maxoutTakesTheMaximumOfEachGroupOfKConsecutiveColumns(Precision p) {
    OpHarness h = OpHarness.create();
    // Two units of three pieces per row: groups (1, 5, 3 | -2, -7, -1) and (0, 0, -4 | 9, 8, 9.5).
    Tensor x = h.input("x", 2, 6, 1, 5, 3, -2, -7, -1, 0, 0, -4, 9, 8, 9.5);
    Tensor y = h.g().maxout(x, 3);
    assertThat(y.shape()).isEqualTo(Shape.of(2, 2));
    assertThat(h.eval(y, p)).containsExactly(5, -1, 0, 9.5);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void maxoutOfTwoPiecesIsTheDefaultOfTheNamedActivation(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, 4, -1, -3, 2, 2);
    Tensor y = h.g().activation(x, Activation.parse("maxout"), null);
    assertThat(y.shape()).isEqualTo(Shape.of(1, 2));
    assertThat(h.eval(y, p)).containsExactly(-1, 2);
  }

  @Test
  void maxoutGradientGoesToTheFirstOfTiedMaxima() {
    OpHarness h = OpHarness.create();
    // Group 0 ties at columns 0 and 2; group 1 ties at columns 4 and 5; every row is distinct.
    Tensor x = h.input("x", 2, 6, 7, 1, 7, 0, 3, 3, -1, -1, -1, 2, 5, 2);
    Tensor y = h.g().maxout(x, 3).named("y");
    Tensor w = h.g().constant(new double[] {10, 100}, 2); // tells the two units' gradients apart
    Interpreter it = h.start(h.withGradients(h.g().sum(h.g().mul(y, w)), "x"), Precision.FLOAT64);
    it.evaluate(false);
    assertThat(it.readDouble("y")).containsExactly(7, 3, -1, 5);
    assertThat(it.readDouble("x.grad")).containsExactly(
        10, 0, 0, 0, 100, 0,
        10, 0, 0, 0, 100, 0);
  }

  @Test
  void maxoutRejectsColumnsThatDoNotSplitIntoGroupsAndTooFewPieces() {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 2, 5, new double[10]);
    assertThatThrownBy(() -> h.g().maxout(x, 2))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("5 columns do not split into groups of k=2");
    assertThatThrownBy(() -> h.g().maxout(x, 1)).hasMessageContaining("k >= 2");
  }
}
