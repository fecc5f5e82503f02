package dev.fusebox.ops;

import static dev.fusebox.ops.Close.assertClose;
import static dev.fusebox.ops.Close.tol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The numerically hard ends: arguments where a textbook formula overflows, underflows or takes the
 * log of zero. Each op must give the exact (or clamped) finite value in both precisions.
 */
class NumericalExtremesTest {

  static double[] apply(Precision p, BiFunction<GraphBuilder, Tensor, Tensor> f, double... xs) {
    return ActivationsForwardTest.apply(p, f, xs);
  }

  // ---- activations

  @ParameterizedTest
  @EnumSource(Precision.class)
  void sigmoidAndTanhSaturateExactly(Precision p) {
    assertThat(apply(p, GraphBuilder::sigmoid, -1e4, -1000, 1000, 1e4)).containsExactly(0, 0, 1, 1);
    assertThat(apply(p, GraphBuilder::tanh, -1e4, -1000, 1000, 1e4)).containsExactly(-1, -1, 1, 1);
    // Far into the tail σ(x) = e^x/(1 + e^x) is tiny but has full relative precision.
    assertClose(apply(p, GraphBuilder::sigmoid, -30), tol(p), Math.exp(-30) / (1 + Math.exp(-30)));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void softplusIsExactAtLargeArgumentsAndNeverNegative(Precision p) {
    // log(1 + e^1000) overflows if written naively; the value is 1000 to within e^-1000.
    double[] y = apply(p, GraphBuilder::softplus, 1000, 1e4, -1000, -1e4);
    assertThat(y[0]).isEqualTo(1000);
    assertThat(y[1]).isEqualTo(1e4);
    // log(1 + e^-1000) ≈ e^-1000, which underflows: 0 is the right answer, and it must not be negative.
    assertThat(y[2]).isFinite().isGreaterThanOrEqualTo(0).isLessThan(1e-300);
    assertThat(y[3]).isFinite().isGreaterThanOrEqualTo(0).isLessThan(1e-300);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void softplusKeepsFullPrecisionInItsTails(Precision p) {
    // log(1 + e^-30) = e^-30 − e^-60/2 + …; log(1 + e^30) = 30 + log(1 + e^-30).
    double tail = Math.exp(-30) - Math.exp(-60) / 2;
    assertClose(apply(p, GraphBuilder::softplus, -30, 30), tol(p), tail, 30 + tail);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void eluTendsToMinusGammaForVeryNegativeInputs(Precision p) {
    assertThat(apply(p, (g, x) -> g.elu(x, 1), -1000, -1e4)).containsExactly(-1, -1);
    assertThat(apply(p, (g, x) -> g.elu(x, 2), -1000)).containsExactly(-2);
    assertClose(apply(p, (g, x) -> g.elu(x, 1), -20), tol(p), Math.exp(-20) - 1);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void swishAndGeluAreIdentityFarRightAndZeroFarLeft(Precision p) {
    List<BiFunction<GraphBuilder, Tensor, Tensor>> fs = List.of((g, x) -> g.swish(x, 1), GraphBuilder::gelu, GraphBuilder::geluTanh);
    for (BiFunction<GraphBuilder, Tensor, Tensor> f : fs) {
      double[] y = apply(p, f, 1e4, -1e4, 1000, -1000);
      assertThat(y[0]).isEqualTo(1e4);
      assertThat(y[2]).isEqualTo(1000);
      assertThat(y[1]).isCloseTo(0, within(0.0));
      assertThat(y[3]).isCloseTo(0, within(0.0));
    }
    // x·Φ(x) at x = −10 is about −7.6e-23: at most that far from zero, and never positive.
    assertThat(apply(p, GraphBuilder::gelu, -10)[0]).isBetween(-1e-22, 0.0);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void hardActivationsClipHugeInputs(Precision p) {
    assertThat(apply(p, GraphBuilder::hardSigmoid, -1e30, 1e30)).containsExactly(0, 1);
    assertThat(apply(p, GraphBuilder::hardTanh, -1e30, 1e30)).containsExactly(-1, 1);
    double big = p == Precision.FLOAT64 ? 1e30 : (float) 1e30; // the input as the run stores it
    assertThat(apply(p, GraphBuilder::relu, -1e30, 1e30)).containsExactly(0, big);
  }

  // ---- BCE on logits

  static double bceWithLogits(Precision p, double z, double t) {
    OpHarness h = OpHarness.create();
    return h.scalar(h.g().bceWithLogits(h.input("z", 1, 1, z), h.targets("t", 1, 1, t)), p);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void bceOnLogitsIsExactAtPlusMinusAThousandAndTenThousand(Precision p) {
    // Confidently right costs e^-|z| ≈ 0; confidently wrong costs |z|.
    for (double z : new double[] {1000, 1e4}) {
      assertThat(bceWithLogits(p, z, 1)).as("z=%s, t=1", z).isEqualTo(0);
      assertThat(bceWithLogits(p, z, 0)).as("z=%s, t=0", z).isEqualTo(z);
      assertThat(bceWithLogits(p, -z, 0)).as("z=%s, t=0", -z).isEqualTo(0);
      assertThat(bceWithLogits(p, -z, 1)).as("z=%s, t=1", -z).isEqualTo(z);
    }
    assertThat(bceWithLogits(p, 1e4, 0.5)).isEqualTo(5000); // max(z, 0) − z·t = 1e4 − 5e3
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void bceOnLogitsHasAFiniteGradientAtTheEnds(Precision p) {
    // d/dz = σ(z) − t: exactly 1 for z = 1e4, t = 0 and −1 for z = −1e4, t = 1.
    OpHarness h = OpHarness.create();
    Tensor z = h.input("z", 1, 2, 1e4, -1e4);
    Tensor t = h.targets("t", 1, 2, 0, 1);
    Interpreter it = h.start(h.withGradients(h.g().bceWithLogits(z, t), "z"), p);
    it.evaluate(false);
    assertThat(it.lossValue()).isEqualTo(1e4);
    assertThat(it.readDouble("z.grad")).containsExactly(0.5, -0.5); // divided by the 2 elements
  }

  // ---- softmax cross-entropy

  @ParameterizedTest
  @EnumSource(Precision.class)
  void softmaxCrossEntropyIsExactAtLogitsOfTenThousand(Precision p) {
    OpHarness h = OpHarness.create();
    GraphBuilder g = h.g();
    Tensor z = h.input("z", 3, 2, 1e4, 0, 1e4, 0, -1e4, 1e4);
    Tensor y = h.labels("y", 2, 1, 0, 0);
    Tensor perRow = h.input("z1", 1, 2, 1e4, 0);
    Tensor label1 = h.labels("y1", 2, 1);
    assertThat(h.scalar(g.softmaxCrossEntropy(perRow, label1), p)).isEqualTo(1e4);
    // Rows cost 1e4, 0 and 2e4: the mean is 1e4.
    assertThat(h.scalar(g.softmaxCrossEntropy(z, y), p)).isEqualTo(1e4);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void softmaxCrossEntropyGradientIsFiniteAtLogitsOfTenThousand(Precision p) {
    // (softmax(z) − y)/n = ((1, 0) − (0, 1))/1.
    OpHarness h = OpHarness.create();
    Tensor z = h.input("z", 1, 2, 1e4, -1e4);
    Interpreter it = h.start(h.withGradients(h.g().softmaxCrossEntropy(z, h.labels("y", 2, 1)), "z"), p);
    it.evaluate(false);
    assertThat(it.lossValue()).isEqualTo(2e4);
    assertThat(it.readDouble("z.grad")).containsExactly(1, -1);
  }

  // ---- losses on probabilities at p = 0 and p = 1: logs clamped at −100, as PyTorch's BCELoss

  @ParameterizedTest
  @EnumSource(Precision.class)
  void crossEntropyOfAZeroProbabilityIsClampedToOneHundred(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor prob = h.input("p", 2, 2, 0, 1, 1, 0);
    assertThat(h.scalar(h.g().crossEntropy(prob, h.labels("y", 2, 0, 0)), p)).isEqualTo(50); // (100 + 0)/2
    assertThat(h.scalar(h.g().crossEntropy(prob, h.labels("y2", 2, 0, 1)), p)).isEqualTo(100);
    // Soft targets: row 0 −(½·(−100) + ½·0) = 50, row 1 −(1·(−100)) = 100.
    assertThat(h.scalar(h.g().crossEntropy(prob, h.oneHot("t", 2, 2, 0.5, 0.5, 0, 1)), p)).isEqualTo(75);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void bceOfCertainProbabilitiesIsZeroWhenRightAndOneHundredWhenWrong(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor prob = h.input("p", 1, 4, 0, 1, 0, 1);
    Tensor t = h.targets("t", 1, 4, 1, 0, 0, 1);
    assertThat(h.scalar(h.g().bce(prob, t), p)).isEqualTo(50); // (100 + 100 + 0 + 0)/4
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void bceGradientAtCertainProbabilitiesIsLargeButFinite(Precision p) {
    // (p − t)/max(p(1 − p), 1e-12)/n, as PyTorch's BCELoss.
    OpHarness h = OpHarness.create();
    Tensor prob = h.input("p", 1, 2, 0, 1);
    Interpreter it = h.start(h.withGradients(h.g().bce(prob, h.targets("t", 1, 2, 1, 0)), "p"), p);
    it.evaluate(false);
    assertThat(it.lossValue()).isEqualTo(100);
    assertClose(it.readDouble("p.grad"), tol(p), -0.5e12, 0.5e12);
  }

  @Test
  void crossEntropyGradientAtAZeroProbabilityIsFiniteInFloat32() {
    OpHarness h = OpHarness.create();
    Tensor prob = h.input("p", 1, 2, 0, 1);
    Interpreter it = h.start(h.withGradients(h.g().crossEntropy(prob, h.labels("y", 2, 0)), "p"), Precision.FLOAT32);
    it.evaluate(false);
    assertThat(it.lossValue()).isEqualTo(100);
    assertThat(Arrays.stream(it.readDouble("p.grad"))).allMatch(Double::isFinite);
    assertThat(it.firstNonFinite()).isNull();
  }
}
