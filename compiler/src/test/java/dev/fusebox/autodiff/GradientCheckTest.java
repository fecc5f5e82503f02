package dev.fusebox.autodiff;

import static dev.fusebox.ops.alu.Expr.x;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.runtime.init.Initializers;
import org.junit.jupiter.api.Test;

/** The checker itself: it must catch wrong rules, and skip (not fail) points at kinks. */
class GradientCheckTest {

  /** x³ with the rule 2x²·dy instead of 3x²·dy. */
  private static final Elementwise BROKEN_CUBE = Elementwise.of("cube", "", x(0).mul(x(0)).mul(x(0)), x(2).mul(x(0)).mul(x(0)).mul(2));
  private static final Elementwise RIGHT_CUBE = Elementwise.of("cube", "", x(0).mul(x(0)).mul(x(0)), x(2).mul(x(0)).mul(x(0)).mul(3));

  private static Graph cubeGraph(Elementwise cube) {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor w = g.parameter("w", Initializers.uniform(0.5, 1.5), 2, 3);
    g.loss(g.sum(g.add(cube, null, w)));
    return g.build();
  }

  @Test
  void catchesADeliberatelyBrokenRuleAndSaysWhere() {
    GradientCheck.Report report = GradientCheck.of(cubeGraph(BROKEN_CUBE)).run();
    assertThat(report.passed()).isFalse();
    GradientCheck.TensorReport w = report.tensor("w");
    assertThat(w.failed()).isEqualTo(6);
    // Analytic 2w² against numeric 3w²: relative error exactly 1/3 everywhere.
    assertThat(w.maxRelError()).isCloseTo(1.0 / 3, org.assertj.core.api.Assertions.within(1e-6));
    assertThat(w.numericAtWorst() / w.analyticAtWorst()).isCloseTo(1.5, org.assertj.core.api.Assertions.within(1e-6));
    assertThat(w.maxAbsAt()).matches("\\[[01], [0-2]\\]");
    assertThat(report.toString()).contains("w").contains("failed");
  }

  @Test
  void namesTheWorstElementWithAnIndexOfTheTensorsOwnRank() {
    // Loss sum(cube(w + c)) with w = 0: the broken rule is off by (w + c)², so the worst element is c's largest.
    GraphBuilder g = GraphBuilder.create(1);
    Tensor bias = g.parameter("bias", Initializers.zeros(), 4);
    Tensor weight = g.parameter("weight", Initializers.zeros(), 2, 3);
    Tensor b = g.add(BROKEN_CUBE, null, g.add(bias, g.constant(new double[] {0.5, 2, 1, 1.5}, 4)));
    Tensor w = g.add(BROKEN_CUBE, null, g.add(weight, g.constant(new double[] {0.5, 1, 1.25, 2, 1.5, 0.75}, 2, 3)));
    g.loss(g.add(g.sum(b), g.sum(w)));
    GradientCheck.Report report = GradientCheck.of(g.build()).run();
    assertThat(report.tensor("bias").maxAbsAt()).isEqualTo("[1]");
    assertThat(report.tensor("bias").maxRelAt()).matches("\\[[0-3]\\]");
    assertThat(report.tensor("weight").maxAbsAt()).isEqualTo("[1, 0]");
    assertThat(report.toString()).contains(" [1] ").contains(" [1, 0] ");
  }

  @Test
  void acceptsTheCorrectRule() {
    GradientCheck.Report report = GradientCheck.of(cubeGraph(RIGHT_CUBE)).run();
    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.tensor("w").checked()).isEqualTo(6);
    assertThat(report.tensor("w").skippedAtKinks()).isZero();
  }

  @Test
  void skipsPointsAtAKinkInsteadOfFailingThem() {
    // relu at exactly 0 has no derivative: both one-sided slopes differ. Elements away from 0 are checked.
    GraphBuilder g = GraphBuilder.create(1);
    Tensor w = g.parameter("w", Initializers.zeros(), 1, 4);
    g.loss(g.sum(g.relu(g.add(w, g.constant(new double[] {0, 1, -1, 0}, 1, 4)))));
    GradientCheck.Report report = GradientCheck.of(g.build()).run();
    assertThat(report.tensor("w").skippedAtKinks()).isEqualTo(2);
    assertThat(report.tensor("w").checked()).isEqualTo(2);
    assertThat(report.passed()).as(report.toString()).isTrue();
  }

  @Test
  void smoothGraphsSkipNothing() {
    GraphBuilder g = GraphBuilder.create(4);
    Tensor x = g.input("x", 5, 3);
    Tensor h = g.dense("l0", x, 4, dev.fusebox.builder.Activation.TANH);
    g.loss(g.softmaxCrossEntropy(g.dense("l1", h, 3, dev.fusebox.builder.Activation.IDENTITY), g.labels("y", 5, 3)));
    GradientCheck.Report report = GradientCheck.of(g.build()).seed(2).run();
    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.tensors()).allSatisfy(t -> assertThat(t.skippedAtKinks()).isZero());
    assertThat(report.tensors()).extracting(GradientCheck.TensorReport::checked).containsExactly(12, 4, 12, 3);
  }

  @Test
  void checksInputsAndIntermediatesOnRequest() {
    GraphBuilder g = GraphBuilder.create(4);
    Tensor x = g.input("x", 2, 3);
    g.loss(g.sum(g.exp(g.mul(x, x))));
    GradientCheck.Report report = GradientCheck.of(g.build()).wrt("x").run();
    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.tensor("x").checked()).isEqualTo(6);
  }

  @Test
  void float32AnalyticGradientsAreCheckedWithLooserTolerance() {
    GradientCheck.Report strict = GradientCheck.of(cubeGraph(RIGHT_CUBE)).analyticIn(Precision.FLOAT32).tolerance(1e-12, 1e-12).run();
    assertThat(strict.passed()).as("float32 cannot meet 1e-12").isFalse();
    GradientCheck.Report loose = GradientCheck.of(cubeGraph(RIGHT_CUBE)).analyticIn(Precision.FLOAT32).tolerance(1e-6, 1e-5).run();
    assertThat(loose.passed()).as(loose.toString()).isTrue();
  }

  @Test
  void anOpWithoutAGradientRuleIsAClearError() {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor w = g.parameter("w", Initializers.zeros(), 2);
    g.loss(g.sum(g.add(Elementwise.plain("opaque", 1, x(0).exp()), "o", w)));
    assertThatThrownBy(() -> GradientCheck.of(g.build()).run())
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("cannot differentiate opaque 'o'")
        .hasMessageContaining("no gradient rule");
  }
}
