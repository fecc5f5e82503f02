package dev.fusebox.ops;

import static dev.fusebox.ops.Close.assertClose;
import static dev.fusebox.ops.Close.tol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.ir.Shape;
import dev.fusebox.runtime.init.Initializers;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Binary arithmetic with NumPy broadcasting (bias rows, per-row columns, scalars, outer products),
 * the unary math ops, constants, scale/affine and the weight penalties. Expected values are written
 * out by hand.
 */
class ArithmeticForwardTest {

  private static final double[] X = {1, 2, 3, 4, 5, 6}; // [[1, 2, 3], [4, 5, 6]]

  interface Binary extends BiFunction<GraphBuilder, Tensor[], Tensor> {}

  static Stream<Arguments> binaryOps() {
    // x [2, 3] op bias [3] = {10, 20, 40}; x op column [2, 1] = {2, -4}; x op scalar 8.
    return Stream.of(
        Arguments.of("add", (Binary) (g, t) -> g.add(t[0], t[1]),
            new double[] {11, 22, 43, 14, 25, 46}, new double[] {3, 4, 5, 0, 1, 2}, new double[] {9, 10, 11, 12, 13, 14}),
        Arguments.of("sub", (Binary) (g, t) -> g.sub(t[0], t[1]),
            new double[] {-9, -18, -37, -6, -15, -34}, new double[] {-1, 0, 1, 8, 9, 10}, new double[] {-7, -6, -5, -4, -3, -2}),
        Arguments.of("mul", (Binary) (g, t) -> g.mul(t[0], t[1]),
            new double[] {10, 40, 120, 40, 100, 240}, new double[] {2, 4, 6, -16, -20, -24}, new double[] {8, 16, 24, 32, 40, 48}),
        Arguments.of("div", (Binary) (g, t) -> g.div(t[0], t[1]),
            new double[] {0.1, 0.1, 0.075, 0.4, 0.25, 0.15}, new double[] {0.5, 1, 1.5, -1, -1.25, -1.5},
            new double[] {0.125, 0.25, 0.375, 0.5, 0.625, 0.75}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaryOps")
  void matrixOpBiasBroadcastsTheBiasOverRows(String name, Binary op, double[] byBias, double[] byColumn, double[] byScalar) {
    for (Precision p : Precision.values()) {
      OpHarness h = OpHarness.create();
      Tensor x = h.input("x", 2, 3, X);
      Tensor bias = h.g().constant(new double[] {10, 20, 40}, 3);
      Tensor y = op.apply(h.g(), new Tensor[] {x, bias});
      assertThat(y.shape()).isEqualTo(Shape.of(2, 3));
      assertClose(h.eval(y, p), tol(p), byBias);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaryOps")
  void matrixOpColumnBroadcastsTheColumnOverColumns(String name, Binary op, double[] byBias, double[] byColumn, double[] byScalar) {
    for (Precision p : Precision.values()) {
      OpHarness h = OpHarness.create();
      Tensor x = h.input("x", 2, 3, X);
      Tensor column = h.input("c", 2, 1, 2, -4);
      Tensor y = op.apply(h.g(), new Tensor[] {x, column});
      assertThat(y.shape()).isEqualTo(Shape.of(2, 3));
      assertClose(h.eval(y, p), tol(p), byColumn);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaryOps")
  void matrixOpScalarAppliesTheScalarEverywhere(String name, Binary op, double[] byBias, double[] byColumn, double[] byScalar) {
    for (Precision p : Precision.values()) {
      OpHarness h = OpHarness.create();
      Tensor x = h.input("x", 2, 3, X);
      Tensor y = op.apply(h.g(), new Tensor[] {x, h.g().constant(8)});
      assertThat(y.shape()).isEqualTo(Shape.of(2, 3));
      assertClose(h.eval(y, p), tol(p), byScalar);
    }
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void broadcastOperandOnTheLeftKeepsTheOperandOrder(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 2, 2, 1, 2, 4, 8);
    Tensor bias = h.g().constant(new double[] {10, 20}, 2);
    GraphBuilder g = h.g();
    assertThat(h.eval(g.sub(bias, x), p)).containsExactly(9, 18, 6, 12);
    assertThat(h.eval(g.div(g.constant(1), x), p)).containsExactly(1, 0.5, 0.25, 0.125);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void columnAgainstRowBroadcastsToTheirOuterShape(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor column = h.input("c", 3, 1, 1, 2, 3);
    Tensor row = h.g().constant(new double[] {10, 20}, 2);
    Tensor sum = h.g().add(column, row);
    assertThat(sum.shape()).isEqualTo(Shape.of(3, 2));
    assertThat(h.eval(sum, p)).containsExactly(11, 21, 12, 22, 13, 23);
    assertThat(h.eval(h.g().mul(row, column), p)).containsExactly(10, 20, 20, 40, 30, 60);
  }

  @Test
  void shapesThatDoNotBroadcastAreRejectedNamingBoth() {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 2, 3, X);
    Tensor v = h.g().constant(new double[] {1, 2}, 2);
    assertThatThrownBy(() -> h.g().add(x, v))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("shapes [2, 3] and [2] do not broadcast");
  }

  // ---- unary math

  @ParameterizedTest
  @EnumSource(Precision.class)
  void negExpLogSqrtSquareAbsMatchKnownValues(Precision p) {
    OpHarness h = OpHarness.create();
    GraphBuilder g = h.g();
    Tensor x = h.input("x", 1, 4, -2.5, 0, 1, 4);
    Tensor pos = h.input("pos", 1, 4, 1, 2, 10, 0.25);
    assertThat(h.eval(g.neg(x), p)).containsExactly(2.5, -0.0, -1, -4);
    assertClose(h.eval(g.exp(x), p), tol(p), 0.0820849986238988, 1, 2.718281828459045, 54.598150033144236);
    assertClose(h.eval(g.log(pos), p), tol(p), 0, 0.6931471805599453, 2.302585092994046, -1.3862943611198906);
    assertClose(h.eval(g.sqrt(pos), p), tol(p), 1, 1.4142135623730951, 3.1622776601683795, 0.5);
    assertThat(h.eval(g.square(x), p)).containsExactly(6.25, 0, 1, 16);
    assertThat(h.eval(g.abs(x), p)).containsExactly(2.5, 0, 1, 4);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void logOfZeroIsMinusInfinityAndOfANegativeIsNaN(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, 2, 0, -1);
    double[] y = h.eval(h.g().log(x), p);
    assertThat(y[0]).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(y[1]).isNaN();
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void scaleAndAffineApplyConstantCoefficients(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, 3, 0, 1, -2.5);
    assertThat(h.eval(h.g().scale(x, 3), p)).containsExactly(0, 3, -7.5);
    assertThat(h.eval(h.g().affine(x, 2, -1), p)).containsExactly(-1, 1, -6);
    assertClose(h.eval(h.g().affine(x, -0.5, 0.25), p), tol(p), 0.25, -0.25, 1.5);
  }

  @Test
  void affineRejectsNonFiniteCoefficients() {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, 1, 0);
    assertThatThrownBy(() -> h.g().affine(x, Double.NaN, 0)).isInstanceOf(GraphException.class).hasMessageContaining("not finite");
    assertThatThrownBy(() -> h.g().scale(x, Double.POSITIVE_INFINITY)).hasMessageContaining("Infinity is not finite");
  }

  // ---- constants, inputs, variables

  @Test
  void constantsKeepShapeAndValuesRoundingToFloatInFloat32Runs() {
    OpHarness h = OpHarness.create();
    Tensor s = h.g().constant(2.5);
    Tensor m = h.g().constant(new double[] {0.1, -3, 1e-3, 7}, 2, 2);
    assertThat(s.shape()).isEqualTo(Shape.scalar());
    assertThat(m.shape()).isEqualTo(Shape.of(2, 2));
    assertThat(h.eval(s, Precision.FLOAT64)).containsExactly(2.5);
    assertThat(h.eval(m, Precision.FLOAT64)).containsExactly(0.1, -3, 1e-3, 7);
    assertThat(h.eval(m, Precision.FLOAT32)).containsExactly((float) 0.1, -3, (float) 1e-3, 7);
  }

  @Test
  void constantsRejectWrongCountsAndNonFiniteValues() {
    GraphBuilder g = GraphBuilder.create();
    assertThatThrownBy(() -> g.constant(new double[] {1, 2, 3}, 2, 2))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("needs 4 values, got 3");
    assertThatThrownBy(() -> g.constant(new double[] {1, Double.NaN}, 2)).hasMessageContaining("at index 1 is not finite");
  }

  @Test
  void inputsAndVariablesReadBackWhatWasSetAndInitialised() {
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 2, 2, 0.1, 2, 3, 4);
    Tensor w = h.g().parameter("w", Initializers.constant(0.75), 2);
    Graph graph = h.graph(h.g().add(x, w));
    Interpreter f64 = h.start(graph, Precision.FLOAT64);
    f64.forward();
    assertThat(f64.readDouble("x")).containsExactly(0.1, 2, 3, 4);
    assertThat(f64.readDouble("w")).containsExactly(0.75, 0.75);
    assertThat(f64.readDouble("out")).containsExactly(0.85, 2.75, 3.75, 4.75);
    Interpreter f32 = h.start(graph, Precision.FLOAT32);
    f32.forward();
    assertThat(f32.read("x")).containsExactly(0.1f, 2, 3, 4);
  }

  // ---- penalties

  @ParameterizedTest
  @EnumSource(Precision.class)
  void l2PenaltyIsHalfTheSumOfSquaresOverAllTensors(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor w1 = h.parameter("w1", new int[] {2, 2}, 1, -2, 3, -4);
    Tensor w2 = h.parameter("w2", new int[] {3}, 0.5, 0, -1.5);
    assertThat(h.eval(h.g().l2(w1), p)).containsExactly(15); // (1 + 4 + 9 + 16) / 2
    assertThat(h.eval(h.g().l2(w1, w2), p)).containsExactly(16.25); // + (0.25 + 2.25) / 2
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void l1PenaltyIsTheSumOfAbsoluteValuesOverAllTensors(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor w1 = h.parameter("w1", new int[] {2, 2}, 1, -2, 3, -4);
    Tensor w2 = h.parameter("w2", new int[] {3}, 0.5, 0, -1.5);
    assertThat(h.eval(h.g().l1(w1), p)).containsExactly(10);
    assertThat(h.eval(h.g().l1(w1, w2), p)).containsExactly(12);
  }

  @Test
  void penaltiesNeedAtLeastOneTensor() {
    GraphBuilder g = GraphBuilder.create();
    assertThatThrownBy(g::l2).isInstanceOf(GraphException.class).hasMessageContaining("needs at least one tensor");
    assertThatThrownBy(g::l1).hasMessageContaining("l1");
  }
}
