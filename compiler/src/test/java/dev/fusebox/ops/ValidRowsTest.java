package dev.fusebox.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With {@code setValidRows(n)} on a batch of B rows, every loss averages over the first n rows only:
 * the rows past n hold garbage (values of 1e15, which would dominate or poison any sum they entered)
 * and must change neither the loss nor the parameter gradients. Each case is compared with the same
 * model run on a batch of exactly the n valid rows.
 */
class ValidRowsTest {

  private static final int BATCH = 4, VALID = 2, COLS = 3;

  // Predictions are x ⊙ w + b with w = (0.5, −0.25, 1), b = (0.1, 0.2, 0.05): the valid rows give
  // probabilities in (0, 1), so the probability losses are defined there; the garbage rows do not.
  private static final double[] X = {0.2, 0.4, 0.6, 0.8, 0.3, 0.5, 1e15, -1e15, 1e15, -3e14, 7e14, 1e15};
  private static final double[] TARGETS = {0, 1, 0.5, 1, 0, 0.25, 1e15, -7e14, 3, 1e15, 1e15, -1e15};
  private static final double[] ONE_HOT = {0, 0, 1, 1, 0, 0, 5, 5, 5, -9, 1e15, 0};
  private static final int[] LABELS = {2, 0, 1, 1}; // labels must be class indices even in unused rows

  enum Target { FLOATS, ONE_HOT, LABELS }

  interface LossFn {
    Tensor apply(GraphBuilder g, Tensor prediction, Tensor target);
  }

  static Stream<Arguments> losses() {
    return Stream.of(
        Arguments.of("mse", Target.FLOATS, (LossFn) GraphBuilder::mse),
        Arguments.of("half_mse", Target.FLOATS, (LossFn) GraphBuilder::halfMse),
        Arguments.of("bce", Target.FLOATS, (LossFn) GraphBuilder::bce),
        Arguments.of("bce_with_logits", Target.FLOATS, (LossFn) GraphBuilder::bceWithLogits),
        Arguments.of("softmax_cross_entropy/labels", Target.LABELS, (LossFn) GraphBuilder::softmaxCrossEntropy),
        Arguments.of("softmax_cross_entropy/one-hot", Target.ONE_HOT, (LossFn) GraphBuilder::softmaxCrossEntropy),
        Arguments.of("cross_entropy/labels", Target.LABELS, (LossFn) (g, z, y) -> g.crossEntropy(g.softmax(z), y)),
        Arguments.of("cross_entropy/one-hot", Target.ONE_HOT, (LossFn) (g, z, y) -> g.crossEntropy(g.softmax(z), y)));
  }

  /** The model on the first {@code rows} rows of the data, differentiated with respect to w and b. */
  static Interpreter model(int rows, Target target, LossFn loss, Precision p) {
    OpHarness h = OpHarness.create();
    GraphBuilder g = h.g();
    Tensor x = h.input("x", rows, COLS, Arrays.copyOf(X, rows * COLS));
    Tensor w = h.parameter("w", new int[] {COLS}, 0.5, -0.25, 1);
    Tensor b = h.parameter("b", new int[] {COLS}, 0.1, 0.2, 0.05);
    Tensor y = switch (target) {
      case FLOATS -> h.targets("y", rows, COLS, Arrays.copyOf(TARGETS, rows * COLS));
      case ONE_HOT -> h.oneHot("y", rows, COLS, Arrays.copyOf(ONE_HOT, rows * COLS));
      case LABELS -> h.labels("y", COLS, Arrays.copyOf(LABELS, rows));
    };
    g.loss(loss.apply(g, g.add(g.mul(x, w), b), y));
    return h.start(Autodiff.differentiate(g.build()), p);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("losses")
  void lossAndGradientsIgnoreRowsPastTheValidCount(String name, Target target, LossFn loss) {
    for (Precision p : Precision.values()) {
      Interpreter small = model(VALID, target, loss, p);
      small.evaluate(true);
      Interpreter padded = model(BATCH, target, loss, p);
      padded.setValidRows(VALID);
      padded.evaluate(true);

      assertThat(small.lossValue()).as("%s loss", p).isFinite();
      assertThat(padded.lossValue()).as("%s loss", p).isEqualTo(small.lossValue());
      assertThat(padded.readDouble("w.grad")).as("%s w.grad", p).containsExactly(small.readDouble("w.grad"));
      assertThat(padded.readDouble("b.grad")).as("%s b.grad", p).containsExactly(small.readDouble("b.grad"));
      assertThat(padded.readDouble("b.grad")).as("%s b.grad is not trivially zero", p).isNotEqualTo(new double[COLS]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("losses")
  void theGarbageRowsWouldChangeTheLossIfTheyWereValid(String name, Target target, LossFn loss) {
    Interpreter small = model(VALID, target, loss, Precision.FLOAT64);
    small.evaluate(true);
    Interpreter padded = model(BATCH, target, loss, Precision.FLOAT64);
    padded.evaluate(true); // every row valid: the test above is only meaningful if this differs
    assertThat(padded.lossValue()).isNotEqualTo(small.lossValue());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("losses")
  void forwardHonoursValidRowsLikeTheTrainingStep(String name, Target target, LossFn loss) {
    Interpreter small = model(VALID, target, loss, Precision.FLOAT64);
    small.forward();
    Interpreter padded = model(BATCH, target, loss, Precision.FLOAT64);
    padded.setValidRows(VALID);
    padded.forward();
    assertThat(padded.readDouble("loss")).containsExactly(small.readDouble("loss"));
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void restoringTheFullBatchAveragesOverEveryRowAgain(Precision p) {
    LossFn mse = GraphBuilder::mse;
    Interpreter it = model(BATCH, Target.FLOATS, mse, p);
    it.evaluate(true);
    double full = it.lossValue();
    it.setValidRows(VALID);
    it.evaluate(true);
    assertThat(it.lossValue()).isNotEqualTo(full);
    it.setValidRows(BATCH);
    it.evaluate(true);
    assertThat(it.lossValue()).isEqualTo(full);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void aValidRowCountOfOneAveragesOverTheFirstRowAlone(Precision p) {
    // Row 0: prediction (0.2, 0.1, 0.65) against targets (0, 1, 0.5): squared errors 0.04, 0.81, 0.0225.
    Interpreter it = model(BATCH, Target.FLOATS, GraphBuilder::mse, p);
    it.setValidRows(1);
    it.evaluate(true);
    Close.assertClose(it.lossValue(), Close.tol(p), (0.04 + 0.81 + 0.0225) / 3);
  }
}
