package dev.fusebox.ops;

import static dev.fusebox.ops.Close.assertClose;
import static dev.fusebox.ops.Close.tol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.GraphException;
import java.util.function.BiFunction;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Forward values of the fixed activations, against published constants and textbook formulas
 * evaluated here (never the implementation's own expressions). Inputs are exact in float32, so both
 * precisions see the same arguments.
 */
class ActivationsForwardTest {

  private static final double[] XS = {-4, -1.5, -1, -0.25, 0, 0.25, 1, 1.5, 4};

  /** f applied to a one-row input holding xs. */
  static double[] apply(Precision p, BiFunction<GraphBuilder, Tensor, Tensor> f, double... xs) {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, xs.length, xs);
    return h.eval(f.apply(h.g(), x), p);
  }

  static double[] map(DoubleUnaryOperator f, double... xs) {
    double[] out = new double[xs.length];
    for (int i = 0; i < xs.length; i++) out[i] = f.applyAsDouble(xs[i]);
    return out;
  }

  // ---- logistic family

  @ParameterizedTest
  @EnumSource(Precision.class)
  void sigmoidIsEToTheXOverOnePlusEToTheX(Precision p) {
    double[] y = apply(p, GraphBuilder::sigmoid, XS);
    assertClose(y, tol(p), map(x -> Math.exp(x) / (1 + Math.exp(x)), XS));
    assertThat(y[4]).as("σ(0)").isEqualTo(0.5);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void tanhMatchesPublishedValuesAndItsExponentialForm(Precision p) {
    assertClose(apply(p, GraphBuilder::tanh, 1, -2, 0), tol(p), 0.7615941559557649, -0.9640275800758169, 0);
    assertClose(apply(p, GraphBuilder::tanh, XS), tol(p),
        map(x -> (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1), XS));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void softplusIsLogOfOnePlusEToTheX(Precision p) {
    assertClose(apply(p, GraphBuilder::softplus, 0), tol(p), 0.6931471805599453); // ln 2
    assertClose(apply(p, GraphBuilder::softplus, XS), tol(p), map(x -> Math.log(1 + Math.exp(x)), XS));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void swishIsXTimesTheSigmoidOfBetaX(Precision p) {
    assertClose(apply(p, (g, x) -> g.swish(x, 1), XS), tol(p), map(x -> x / (1 + Math.exp(-x)), XS));
    assertClose(apply(p, (g, x) -> g.swish(x, 2.5), XS), tol(p), map(x -> x / (1 + Math.exp(-2.5 * x)), XS));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void geluIsXTimesTheNormalCdf(Precision p) {
    // x·Φ(x) from tables of the standard normal CDF: Φ(1) = 0.8413447460685429, Φ(2) = 0.9772498680518208.
    assertClose(apply(p, GraphBuilder::gelu, 1, -1, 2, 0.5, -3), tol(p),
        0.8413447460685429, -0.15865525393145707, 1.9544997361036416, 0.34573123063700656, -0.00404969409489031);
    assertThat(apply(p, GraphBuilder::gelu, 0)).containsExactly(0.0);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void geluTanhIsTheTanhApproximation(Precision p) {
    assertClose(apply(p, GraphBuilder::geluTanh, 1, -1, 2), tol(p),
        0.8411919906082768, -0.15880800939172324, 1.954597694087775);
    double k = Math.sqrt(2 / Math.PI);
    assertClose(apply(p, GraphBuilder::geluTanh, XS), tol(p),
        map(x -> 0.5 * x * (1 + Math.tanh(k * (x + 0.044715 * x * x * x))), XS));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void geluTanhStaysWithinAFewThousandthsOfExactGelu(Precision p) {
    double[] exact = apply(p, GraphBuilder::gelu, XS);
    double[] approx = apply(p, GraphBuilder::geluTanh, XS);
    for (int i = 0; i < XS.length; i++) assertThat(approx[i]).isCloseTo(exact[i], within(2e-3));
  }

  // ---- piecewise-linear family

  @ParameterizedTest
  @EnumSource(Precision.class)
  void reluZeroesEverythingNotPositive(Precision p) {
    assertThat(apply(p, GraphBuilder::relu, -3, -0.5, 0, 0.5, 7)).containsExactly(0, 0, 0, 0.5, 7);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void leakyReluScalesNegativesByGamma(Precision p) {
    assertClose(apply(p, (g, x) -> g.leakyRelu(x, 0.1), -3, -0.5, 0, 0.5, 7), tol(p), -0.3, -0.05, 0, 0.5, 7);
    assertClose(apply(p, (g, x) -> g.leakyRelu(x, 0.25), -4, 2), tol(p), -1, 2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void eluIsGammaTimesEToTheXMinusOneBelowZero(Precision p) {
    assertClose(apply(p, (g, x) -> g.elu(x, 1), -1), tol(p), Math.exp(-1) - 1);
    assertClose(apply(p, (g, x) -> g.elu(x, 1), XS), tol(p), map(x -> x > 0 ? x : Math.exp(x) - 1, XS));
    assertClose(apply(p, (g, x) -> g.elu(x, 0.5), XS), tol(p), map(x -> x > 0 ? x : 0.5 * (Math.exp(x) - 1), XS));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void eluOfTinyNegativesKeepsItsPrecision(Precision p) {
    // γ(e^x − 1) ≈ γ(x + x²/2) near 0; a naive exp(x) − 1 would lose half the digits at x = −1e-8.
    double x = -0x1p-27; // ≈ −7.45e-9, exact in float32
    assertClose(apply(p, (g, t) -> g.elu(t, 1), x), tol(p), x + x * x / 2);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void hardTanhClipsToMinusOneAndOne(Precision p) {
    assertThat(apply(p, GraphBuilder::hardTanh, -3, -1, -0.5, 0, 0.5, 1, 3)).containsExactly(-1, -1, -0.5, 0, 0.5, 1, 1);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void hardSigmoidHasTheTextbookSlopeOneQuarterByDefault(Precision p) {
    // 0.25x + 0.5 clipped to [0, 1]: the corners are at x = ±2.
    assertThat(apply(p, GraphBuilder::hardSigmoid, -3, -2, -1, 0, 1, 2, 3)).containsExactly(0, 0, 0.25, 0.5, 0.75, 1, 1);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void hardSigmoidWithKerasSlopeHasCornersAtPlusMinusTwoAndAHalf(Precision p) {
    assertClose(apply(p, (g, x) -> g.hardSigmoid(x, 0.2), -3, -2.5, -1, 0, 1, 2.5, 3), tol(p), 0, 0, 0.3, 0.5, 0.7, 1, 1);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void hardSigmoidWithPyTorchSlopeHasCornersAtPlusMinusThree(Precision p) {
    assertClose(apply(p, (g, x) -> g.hardSigmoid(x, 1.0 / 6), -4, -3, -1.5, 0, 1.5, 3, 4), tol(p), 0, 0, 0.25, 0.5, 0.75, 1, 1);
  }

  @Test
  void hardSigmoidRejectsANonPositiveSlope() {
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 1, 1);
    assertThatThrownBy(() -> g.hardSigmoid(x, 0)).isInstanceOf(GraphException.class).hasMessageContaining("slope must be positive");
    assertThatThrownBy(() -> g.hardSigmoid(x, -0.25)).hasMessageContaining("got -0.25");
  }

  // ---- defaults of the named activations used by dense layers

  @ParameterizedTest
  @EnumSource(Precision.class)
  void namedActivationsUseTheirDocumentedDefaults(Precision p) {
    double[] xs = {-2, 1};
    assertClose(apply(p, (g, x) -> g.activation(x, Activation.parse("leaky_relu"), null), xs), tol(p), -0.02, 1);
    assertClose(apply(p, (g, x) -> g.activation(x, Activation.parse("elu"), null), xs), tol(p), Math.exp(-2) - 1, 1);
    assertClose(apply(p, (g, x) -> g.activation(x, Activation.parse("hard_sigmoid"), null), xs), tol(p), 0, 0.75);
    assertClose(apply(p, (g, x) -> g.activation(x, Activation.parse("swish"), null), xs), tol(p),
        -2 / (1 + Math.exp(2)), 1 / (1 + Math.exp(-1)));
    assertClose(apply(p, (g, x) -> g.activation(x, Activation.parse("leaky_relu(0.3)"), null), xs), tol(p), -0.6, 1);
    assertThat(apply(p, (g, x) -> g.activation(x, Activation.IDENTITY, null), xs)).containsExactly(-2, 1);
  }
}
