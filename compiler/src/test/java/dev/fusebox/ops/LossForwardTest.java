package dev.fusebox.ops;

import static dev.fusebox.ops.Close.assertClose;
import static dev.fusebox.ops.Close.tol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.GraphException;
import dev.fusebox.ir.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every loss against numbers worked out by hand from its textbook definition. */
class LossForwardTest {

  private static final double LN2 = 0.6931471805599453;
  private static final double LN3 = 1.0986122886681098;

  // ---- squared error

  @ParameterizedTest
  @EnumSource(Precision.class)
  void mseIsTheMeanOfSquaredDifferencesOverRowsAndColumns(Precision p) {
    // Differences 1, 0, 2, 3: squares sum to 14 over 4 elements.
    OpHarness h = OpHarness.create();
    Tensor pred = h.input("p", 2, 2, 1, 2, 3, 4);
    Tensor t = h.targets("t", 2, 2, 0, 2, 1, 1);
    Tensor loss = h.g().mse(pred, t);
    assertThat(loss.shape()).isEqualTo(Shape.scalar());
    assertThat(h.scalar(loss, p)).isEqualTo(3.5);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void halfMseIsHalfOfMse(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor pred = h.input("p", 2, 2, 1, 2, 3, 4);
    Tensor t = h.targets("t", 2, 2, 0, 2, 1, 1);
    assertThat(h.scalar(h.g().halfMse(pred, t), p)).isEqualTo(1.75);
  }

  // ---- binary cross-entropy

  @ParameterizedTest
  @EnumSource(Precision.class)
  void bceOnProbabilitiesIsMinusTheMeanLogLikelihood(Precision p) {
    // −(ln ½ + ln ¾ + ln ¾ + ln ½)/4 = (ln 2 + ln 4/3)/2 = ln(8/3)/2.
    OpHarness h = OpHarness.create();
    Tensor prob = h.input("p", 2, 2, 0.5, 0.25, 0.75, 0.5);
    Tensor t = h.targets("t", 2, 2, 1, 0, 1, 0);
    assertClose(h.scalar(h.g().bce(prob, t), p), tol(p), Math.log(8.0 / 3) / 2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void bceOnProbabilitiesAcceptsSoftTargets(Precision p) {
    // p = ½ gives ln 2 whatever the target; p = ¼ with target ½ gives −½(ln ¼ + ln ¾) = ½ ln(16/3).
    OpHarness h = OpHarness.create();
    Tensor prob = h.input("p", 1, 2, 0.5, 0.25);
    Tensor t = h.targets("t", 1, 2, 0.3, 0.5);
    assertClose(h.scalar(h.g().bce(prob, t), p), tol(p), (LN2 + 0.5 * Math.log(16.0 / 3)) / 2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void bceOnLogitsIsBceOfTheSigmoid(Precision p) {
    // σ(0) = ½, σ(ln 3) = ¾, σ(−ln 3) = ¼, σ(2) = 1/(1 + e^−2): losses ln 2, ln 4/3, ln 4 and ln(1 + e²).
    OpHarness h = OpHarness.create();
    Tensor z = h.input("z", 2, 2, 0, LN3, -LN3, 2);
    Tensor t = h.targets("t", 2, 2, 1, 1, 1, 0);
    double expected = (LN2 + Math.log(4.0 / 3) + Math.log(4) + Math.log(1 + Math.exp(2))) / 4;
    assertClose(h.scalar(h.g().bceWithLogits(z, t), p), tol(p), expected);
    assertClose(h.scalar(h.g().bce(h.g().sigmoid(z), t), p), tol(p), expected);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void bceOnLogitsWithSoftTargets(Precision p) {
    // At z = ln 3 with target y: −(y ln ¾ + (1 − y) ln ¼).
    OpHarness h = OpHarness.create();
    Tensor z = h.input("z", 1, 1, LN3);
    Tensor t = h.targets("t", 1, 1, 0.25);
    assertClose(h.scalar(h.g().bceWithLogits(z, t), p), tol(p), -(0.25 * Math.log(0.75) + 0.75 * Math.log(0.25)));
  }

  // ---- softmax cross-entropy

  /** Rows z = [0, 0, ln 2] (softmax ¼, ¼, ½) and [1, 2, 3]. */
  private static final double[] Z = {0, 0, LN2, 1, 2, 3};
  private static final double LSE_123 = Math.log(Math.E + Math.exp(2) + Math.exp(3));

  @ParameterizedTest
  @EnumSource(Precision.class)
  void softmaxCrossEntropyWithIntegerLabels(Precision p) {
    // Row 0, label 2: −ln ½. Row 1, label 0: log Σ e^z − 1.
    OpHarness h = OpHarness.create();
    Tensor z = h.input("z", 2, 3, Z);
    Tensor y = h.labels("y", 3, 2, 0);
    assertClose(h.scalar(h.g().softmaxCrossEntropy(z, y), p), tol(p), (LN2 + LSE_123 - 1) / 2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void softmaxCrossEntropyWithOneHotTargetsEqualsLabels(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor z = h.input("z", 2, 3, Z);
    Tensor y = h.oneHot("y", 2, 3, 0, 0, 1, 1, 0, 0);
    assertClose(h.scalar(h.g().softmaxCrossEntropy(z, y), p), tol(p), (LN2 + LSE_123 - 1) / 2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void softmaxCrossEntropyWithSoftTargetsWeighsEachClass(Precision p) {
    // Row 0 targets (½, 0, ½): ½ ln 4 + ½ ln 2. Row 1 targets (0, 1, 0): log Σ e^z − 2.
    OpHarness h = OpHarness.create();
    Tensor z = h.input("z", 2, 3, Z);
    Tensor y = h.oneHot("y", 2, 3, 0.5, 0, 0.5, 0, 1, 0);
    assertClose(h.scalar(h.g().softmaxCrossEntropy(z, y), p), tol(p), (1.5 * LN2 + LSE_123 - 2) / 2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void softmaxCrossEntropyOfEqualLogitsIsLogOfTheClassCount(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor z = h.input("z", 2, 4, new double[8]);
    Tensor y = h.labels("y", 4, 3, 1);
    assertClose(h.scalar(h.g().softmaxCrossEntropy(z, y), p), tol(p), Math.log(4));
  }

  // ---- cross-entropy of probabilities

  @ParameterizedTest
  @EnumSource(Precision.class)
  void crossEntropyOfProbabilitiesWithLabelsAndOneHotTargets(Precision p) {
    // Row 0 label 2: −ln ½. Row 1 label 1: −ln ⅝. Mean: (ln 2 + ln 1.6)/2 = ln(3.2)/2.
    double[] probs = {0.25, 0.25, 0.5, 0.125, 0.625, 0.25};
    OpHarness h = OpHarness.create();
    Tensor prob = h.input("p", 2, 3, probs);
    Tensor labels = h.labels("y", 3, 2, 1);
    Tensor oneHot = h.oneHot("t", 2, 3, 0, 0, 1, 0, 1, 0);
    assertClose(h.scalar(h.g().crossEntropy(prob, labels), p), tol(p), Math.log(3.2) / 2);
    assertClose(h.scalar(h.g().crossEntropy(prob, oneHot), p), tol(p), Math.log(3.2) / 2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void crossEntropyOfProbabilitiesWithSoftTargets(Precision p) {
    // Targets (½, ½, 0) on (¼, ¼, ½): −(½ ln ¼ + ½ ln ¼) = ln 4; the zero-target class contributes nothing.
    OpHarness h = OpHarness.create();
    Tensor prob = h.input("p", 1, 3, 0.25, 0.25, 0.5);
    Tensor t = h.oneHot("t", 1, 3, 0.5, 0.5, 0);
    assertClose(h.scalar(h.g().crossEntropy(prob, t), p), tol(p), 2 * LN2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void crossEntropyOfASoftmaxEqualsSoftmaxCrossEntropy(Precision p) {
    OpHarness h = OpHarness.create();
    GraphBuilder g = h.g();
    Tensor z = h.input("z", 2, 3, Z);
    Tensor y = h.labels("y", 3, 2, 0);
    assertClose(h.scalar(g.crossEntropy(g.softmax(z), y), p), 4 * tol(p), (LN2 + LSE_123 - 1) / 2);
  }

  // ---- shape rules

  @Test
  void lossesNameMismatchedTargetShapes() {
    OpHarness h = OpHarness.create();
    GraphBuilder g = h.g();
    Tensor pred = h.input("p", 2, 3, new double[6]);
    Tensor t = h.targets("t", 2, 2, new double[4]);
    Tensor wrongLabels = h.labels("y", 3, 0, 1, 2);
    Tensor labels = h.labels("y2", 3, 0, 1);
    assertThatThrownBy(() -> g.mse(pred, t))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("target shape [2, 2] differs from prediction shape [2, 3]");
    assertThatThrownBy(() -> g.softmaxCrossEntropy(pred, wrongLabels))
        .hasMessageContaining("labels must have shape [2] (one per row), not [3]");
    assertThatThrownBy(() -> g.bce(pred, labels)).hasMessageContaining("needs float targets");
    assertThatThrownBy(() -> g.mse(pred, labels)).hasMessageContaining("not integer labels");
  }

  @Test
  void labelsWithMoreClassesThanThePredictionHasColumnsAreRejected() {
    GraphBuilder g = GraphBuilder.create();
    Tensor logits = g.input("z", 2, 2);
    Tensor labels = g.labels("y", 2, 3);
    assertThatThrownBy(() -> g.softmaxCrossEntropy(logits, labels))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("3 classes");
    assertThatThrownBy(() -> g.crossEntropy(logits, labels))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("3 classes");
  }
}
