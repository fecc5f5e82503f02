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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Matrix product under every transpose flag, transpose, reductions, broadcast_to and sum_to. */
class MatrixOpsTest {

  // A = [[1, 2, 3], [4, 5, 6]] and B = [[1, 0, 2, -1], [0, 1, 1, 2], [3, -1, 0, 1]], multiplied by hand:
  // A·B = [[1+0+9, 0+2-3, 2+2+0, -1+4+3], [4+0+18, 0+5-6, 8+5+0, -4+10+6]].
  private static final double[] A = {1, 2, 3, 4, 5, 6};
  private static final double[] A_T = {1, 4, 2, 5, 3, 6};
  private static final double[] B = {1, 0, 2, -1, 0, 1, 1, 2, 3, -1, 0, 1};
  private static final double[] B_T = {1, 0, 3, 0, 1, -1, 2, 1, 0, -1, 2, 1};
  private static final double[] AB = {10, -1, 4, 6, 22, -1, 13, 12};

  @ParameterizedTest(name = "transA={0}, transB={1}")
  @CsvSource({"false, false", "true, false", "false, true", "true, true"})
  void matmulOfStoredTransposesGivesTheSameProduct(boolean transA, boolean transB) {
    for (Precision p : Precision.values()) {
      OpHarness h = OpHarness.create();
      // Each operand is stored transposed exactly when its flag asks matmul to transpose it back.
      Tensor a = transA ? h.input("a", 3, 2, A_T) : h.input("a", 2, 3, A);
      Tensor b = transB ? h.input("b", 4, 3, B_T) : h.input("b", 3, 4, B);
      Tensor c = h.g().matmul(a, b, transA, transB);
      assertThat(c.shape()).isEqualTo(Shape.of(2, 4));
      assertThat(h.eval(c, p)).containsExactly(AB);
    }
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void denseLayerLayoutIsXTimesWTransposed(Precision p) {
    // PyTorch's Linear: weight [out, in], y = x·Wᵀ. x = [[1, 2]], W = [[3, 4], [5, 6], [7, 8]] → [[11, 17, 23]].
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, 2, 1, 2);
    Tensor w = h.parameter("w", new int[] {3, 2}, 3, 4, 5, 6, 7, 8);
    assertThat(h.eval(h.g().matmul(x, w, false, true), p)).containsExactly(11, 17, 23);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void matmulOfFractionsRoundsOnlyOnStoreInFloat32(Precision p) {
    // [[0.1, 0.2]]·[[0.3], [0.4]] = 0.11; float32 inputs are rounded, the sum is in double.
    OpHarness h = OpHarness.create();
    Tensor a = h.input("a", 1, 2, 0.1, 0.2);
    Tensor b = h.input("b", 2, 1, 0.3, 0.4);
    double expected = p == Precision.FLOAT64 ? 0.1 * 0.3 + 0.2 * 0.4
        : (float) ((double) 0.1f * 0.3f + (double) 0.2f * 0.4f);
    assertThat(h.eval(h.g().matmul(a, b), p)).containsExactly(expected);
  }

  @Test
  void matmulNamesTheMismatchedInnerDimensions() {
    OpHarness h = OpHarness.create();
    Tensor a = h.input("a", 2, 3, A);
    Tensor b = h.input("b", 2, 3, A);
    assertThatThrownBy(() -> h.g().matmul(a, b))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("inner dimensions differ")
        .hasMessageContaining("3 != 2");
    assertThat(h.g().matmul(a, b, false, true).shape()).isEqualTo(Shape.of(2, 2));
    assertThat(h.g().matmul(a, b, true, false).shape()).isEqualTo(Shape.of(3, 3));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void transposeSwapsRowsAndColumns(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor a = h.input("a", 2, 3, A);
    Tensor t = h.g().transpose(a);
    assertThat(t.shape()).isEqualTo(Shape.of(3, 2));
    assertThat(h.eval(t, p)).containsExactly(A_T);
    assertThat(h.eval(h.g().transpose(t), p)).containsExactly(A);
  }

  // ---- reductions

  @ParameterizedTest
  @EnumSource(Precision.class)
  void sumAndMeanOverAllElementsAreScalars(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor a = h.input("a", 2, 3, A);
    Tensor sum = h.g().sum(a);
    assertThat(sum.shape()).isEqualTo(Shape.scalar());
    assertThat(h.eval(sum, p)).containsExactly(21);
    assertThat(h.eval(h.g().mean(a, Axis.ALL), p)).containsExactly(3.5);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void perRowReductionsKeepTheRowsAsAColumn(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor a = h.input("a", 2, 3, A);
    Tensor sum = h.g().sum(a, Axis.PER_ROW);
    Tensor mean = h.g().mean(a, Axis.PER_ROW);
    assertThat(sum.shape()).isEqualTo(Shape.of(2, 1));
    assertThat(mean.shape()).isEqualTo(Shape.of(2, 1));
    assertThat(h.eval(sum, p)).containsExactly(6, 15);
    assertThat(h.eval(mean, p)).containsExactly(2, 5);
    // Keeping the dimension is what lets the result broadcast back: centring each row.
    assertThat(h.eval(h.g().sub(a, mean), p)).containsExactly(-1, 0, 1, -1, 0, 1);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void perColumnReductionsKeepTheColumnsAsARow(Precision p) {
    OpHarness h = OpHarness.create();
    Tensor a = h.input("a", 2, 3, A);
    Tensor sum = h.g().sum(a, Axis.PER_COLUMN);
    Tensor mean = h.g().mean(a, Axis.PER_COLUMN);
    assertThat(sum.shape()).isEqualTo(Shape.of(1, 3));
    assertThat(mean.shape()).isEqualTo(Shape.of(1, 3));
    assertThat(h.eval(sum, p)).containsExactly(5, 7, 9);
    assertThat(h.eval(mean, p)).containsExactly(2.5, 3.5, 4.5);
    assertThat(h.eval(h.g().sub(a, mean), p)).containsExactly(-1.5, -1.5, -1.5, 1.5, 1.5, 1.5);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void meanOfAVectorAndSumOfAScalar(Precision p) {
    OpHarness h = OpHarness.create();
    GraphBuilder g = h.g();
    double expected = p == Precision.FLOAT64 ? 6.2 : (float) 6.2;
    assertThat(h.eval(g.mean(g.constant(new double[] {1, 2, 4, 8, 16}, 5)), p)).containsExactly(expected);
    assertThat(h.eval(g.sum(g.constant(-3)), p)).containsExactly(-3);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void sumsAccumulateInDoubleEvenInFloat32Runs(Precision p) {
    // 2^24 + 1 + 1 + ... is not representable step by step in float32; a double accumulator gets it right.
    double[] values = new double[9];
    values[0] = 1 << 24;
    for (int i = 1; i < values.length; i++) values[i] = 1;
    OpHarness h = OpHarness.create();
    Tensor x = h.input("x", 1, values.length, values);
    assertThat(h.eval(h.g().sum(x), p)).containsExactly((1 << 24) + 8);
  }

  @Test
  void axisReductionsNeedAMatrix() {
    GraphBuilder g = GraphBuilder.create();
    Tensor v = g.constant(new double[] {1, 2}, 2);
    assertThatThrownBy(() -> g.sum(v, Axis.PER_ROW))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("must be a matrix (rank 2), not [2]");
  }

  // ---- broadcast_to and sum_to

  @ParameterizedTest
  @EnumSource(Precision.class)
  void broadcastToRepeatsRowsColumnsAndScalars(Precision p) {
    OpHarness h = OpHarness.create();
    GraphBuilder g = h.g();
    Tensor row = g.constant(new double[] {1, 2, 3}, 3);
    Tensor column = g.constant(new double[] {7, 8}, 2, 1);
    Shape target = Shape.of(2, 3);
    assertThat(h.eval(g.add(new BroadcastTo(target), null, row), p)).containsExactly(1, 2, 3, 1, 2, 3);
    assertThat(h.eval(g.add(new BroadcastTo(target), null, column), p)).containsExactly(7, 7, 7, 8, 8, 8);
    assertThat(h.eval(g.add(new BroadcastTo(target), null, g.constant(5)), p)).containsExactly(5, 5, 5, 5, 5, 5);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void sumToAddsUpWhatBroadcastingRepeated(Precision p) {
    OpHarness h = OpHarness.create();
    GraphBuilder g = h.g();
    Tensor a = h.input("a", 2, 3, A);
    assertThat(h.eval(g.add(new SumTo(Shape.of(3)), null, a), p)).containsExactly(5, 7, 9);
    assertThat(h.eval(g.add(new SumTo(Shape.of(1, 3)), null, a), p)).containsExactly(5, 7, 9);
    assertThat(h.eval(g.add(new SumTo(Shape.of(2, 1)), null, a), p)).containsExactly(6, 15);
    assertThat(h.eval(g.add(new SumTo(Shape.scalar()), null, a), p)).containsExactly(21);
    assertClose(h.eval(g.add(new SumTo(Shape.of(2, 3)), null, a), p), tol(p), A);
  }

  @Test
  void broadcastToAndSumToRejectIncompatibleShapes() {
    GraphBuilder g = GraphBuilder.create();
    Tensor a = g.input("a", 2, 3);
    assertThatThrownBy(() -> g.add(new BroadcastTo(Shape.of(2, 2)), null, a))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("[2, 3] does not broadcast to [2, 2]");
    assertThatThrownBy(() -> g.add(new SumTo(Shape.of(2)), null, a))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("[2, 3] cannot be summed down to [2]");
  }
}
