package dev.fusebox.ops;

import static dev.fusebox.ops.Close.assertClose;
import static dev.fusebox.ops.Close.tol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.GraphException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Softmax and log-softmax along rows: hand-computed rows, normalisation, row independence, and
 * logits of ±1e4 where a naive exp overflows.
 */
class SoftmaxTest {

  private static final double LN2 = 0.6931471805599453;
  private static final double LN3 = 1.0986122886681098;

  static double[] softmax(Precision p, int rows, int cols, double... z) {
    OpHarness h = OpHarness.create();
    return h.eval(h.g().softmax(h.input("z", rows, cols, z)), p);
  }

  static double[] logSoftmax(Precision p, int rows, int cols, double... z) {
    OpHarness h = OpHarness.create();
    return h.eval(h.g().logSoftmax(h.input("z", rows, cols, z)), p);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void logitsZeroAndLnThreeGiveOneQuarterAndThreeQuarters(Precision p) {
    // e^0 : e^ln3 = 1 : 3. ln 3 is not exact in float32, so that run is checked to float tolerance.
    assertClose(softmax(p, 1, 2, 0, LN3), tol(p), 0.25, 0.75);
    assertClose(logSoftmax(p, 1, 2, 0, LN3), tol(p), -Math.log(4), -Math.log(4.0 / 3));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void equalLogitsGiveAUniformDistribution(Precision p) {
    assertClose(softmax(p, 1, 4, 7, 7, 7, 7), tol(p), 0.25, 0.25, 0.25, 0.25);
    assertClose(logSoftmax(p, 1, 2, -3, -3), tol(p), -LN2, -LN2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void eachRowIsNormalisedOnItsOwn(Precision p) {
    double[] z = {1, 2, 3, -1, 0.5, 4};
    double[] y = softmax(p, 2, 3, z);
    double[] expected = new double[6];
    for (int r = 0; r < 2; r++) {
      double total = 0;
      for (int c = 0; c < 3; c++) total += Math.exp(z[r * 3 + c]);
      for (int c = 0; c < 3; c++) expected[r * 3 + c] = Math.exp(z[r * 3 + c]) / total;
    }
    assertClose(y, tol(p), expected);
    for (int r = 0; r < 2; r++) {
      assertThat(y[r * 3] + y[r * 3 + 1] + y[r * 3 + 2]).as("row %d sums to 1", r).isCloseTo(1, within(3 * tol(p)));
    }
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void logSoftmaxIsTheLogarithmOfSoftmax(Precision p) {
    double[] z = {0.5, -2, 3.25, 1, 1, -1};
    double[] log = logSoftmax(p, 2, 3, z);
    double[] soft = softmax(p, 2, 3, z);
    double[] logOfSoft = new double[soft.length];
    for (int i = 0; i < soft.length; i++) logOfSoft[i] = Math.log(soft[i]);
    assertClose(log, 10 * tol(p), logOfSoft);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void addingAConstantToARowChangesNothing(Precision p) {
    double[] base = softmax(p, 1, 3, 0.25, -1.5, 2);
    assertClose(softmax(p, 1, 3, 100.25, 98.5, 102), tol(p), base);
    assertClose(softmax(p, 1, 3, -99.75, -101.5, -98), tol(p), base);
  }

  // ---- ±1e4: a naive e^z overflows to ∞ (or underflows to 0 in every column) at these logits

  @ParameterizedTest
  @EnumSource(Precision.class)
  void aLogitOfTenThousandTakesAllTheMassExactly(Precision p) {
    assertThat(softmax(p, 1, 2, 1e4, 0)).containsExactly(1, 0);
    assertThat(logSoftmax(p, 1, 2, 1e4, 0)).containsExactly(0, -1e4);
    assertThat(softmax(p, 1, 2, -1e4, 1e4)).containsExactly(0, 1);
    assertThat(logSoftmax(p, 1, 2, -1e4, 1e4)).containsExactly(-2e4, 0);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void rowsOfOnlyVeryNegativeLogitsStillNormalise(Precision p) {
    // e^-1e4 underflows to 0 in every column; subtracting the maximum first avoids 0/0.
    assertClose(softmax(p, 1, 2, -1e4, -1e4), tol(p), 0.5, 0.5);
    assertThat(softmax(p, 1, 3, -1e4, -1e4 - 1, -2e4)).doesNotContain(Double.NaN);
    assertClose(softmax(p, 1, 2, -1e4, -1e4 - 2), tol(p), 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2)));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void tiedLogitsOfTenThousandSplitTheMass(Precision p) {
    assertClose(softmax(p, 1, 3, 1e4, 1e4, -1e4), tol(p), 0.5, 0.5, 0);
    assertClose(logSoftmax(p, 1, 3, 1e4, 1e4, -1e4), tol(p), -LN2, -LN2, -2e4 - LN2);
  }

  @Test
  void logSoftmaxNearTenThousandIsAsAccurateAsNearZero() {
    double[] expected = {-0.31326168751822286, -1.3132616875182228}; // −log(1 + e^−1), −1 − log(1 + e^−1)
    assertClose(logSoftmax(Precision.FLOAT64, 1, 2, 1, 0), Close.F64, expected);
    assertClose(logSoftmax(Precision.FLOAT64, 1, 2, 10001, 10000), Close.F64, expected);
  }

  @Test
  void softmaxNeedsAMatrix() {
    GraphBuilder g = GraphBuilder.create();
    Tensor v = g.constant(new double[] {1, 2}, 2);
    assertThatThrownBy(() -> g.softmax(v)).isInstanceOf(GraphException.class).hasMessageContaining("must be a matrix");
  }
}
