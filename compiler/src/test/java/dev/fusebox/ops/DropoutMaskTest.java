package dev.fusebox.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inverted dropout: a mask of ones in inference; in training each element is 0 with probability p
 * and 1/(1 − p) otherwise, drawn from (seed, step, index) alone.
 */
class DropoutMaskTest {

  private static final int ROWS = 100, COLS = 100;

  /** x (all ones) → dropout(x, p), with loss Σ dropout(x) and the gradient with respect to x. */
  private static final class Model {
    final Graph graph;
    final String mask;
    final double[] ones = new double[ROWS * COLS];

    Model(long seed, double p) {
      Arrays.fill(ones, 1);
      GraphBuilder g = GraphBuilder.create(seed);
      Tensor x = g.input("x", ROWS, COLS);
      Tensor y = g.dropout(x, p);
      g.output("out", y).loss(g.sum(y));
      Graph forward = g.build();
      graph = Autodiff.differentiate(forward, forward.output("loss").name(), "x");
      mask = graph.nodesOf(DropoutMask.class).get(0).name();
    }

    Interpreter start(Precision p) {
      Interpreter it = Interpreter.create(graph, p);
      it.setInput("x", ones);
      return it;
    }
  }

  static long zeros(double[] v) {
    return Arrays.stream(v).filter(e -> e == 0).count();
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void inferenceMaskIsAllOnesAndDropoutIsTheIdentity(Precision p) {
    Model m = new Model(1, 0.5);
    Interpreter it = m.start(p);
    it.forward();
    assertThat(it.readDouble(m.mask)).containsOnly(1);
    assertThat(it.readDouble("out")).containsOnly(1);
    it.evaluate(false);
    assertThat(it.readDouble(m.mask)).containsOnly(1);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void trainingMaskHoldsOnlyZeroAndOneOverOneMinusP(Precision p) {
    Model m = new Model(1, 0.3);
    Interpreter it = m.start(p);
    it.evaluate(true);
    double keep = p == Precision.FLOAT64 ? 1 / (1 - 0.3) : (float) (1 / (1 - 0.3));
    double[] mask = it.readDouble(m.mask);
    assertThat(mask).containsOnly(0, keep);
    assertThat(zeros(mask)).isPositive().isLessThan(mask.length);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.1, 0.5, 0.8})
  void fractionOfZerosIsNearPAndTheMeanNearOne(double p) {
    Model m = new Model(42, p);
    Interpreter it = m.start(Precision.FLOAT64);
    it.evaluate(true);
    double[] mask = it.readDouble(m.mask);
    // 10 000 Bernoulli draws: the standard deviation of the fraction is at most 0.005.
    assertThat((double) zeros(mask) / mask.length).isCloseTo(p, within(0.02));
    assertThat(Arrays.stream(mask).average().orElseThrow()).as("inverted dropout keeps the expectation").isCloseTo(1, within(0.1));
  }

  @Test
  void theSameStepDrawsTheSameMaskInEveryRunAndEveryInterpreter() {
    Model m = new Model(7, 0.5);
    Interpreter a = m.start(Precision.FLOAT64);
    a.evaluate(true);
    double[] first = a.readDouble(m.mask);
    a.evaluate(true);
    assertThat(a.readDouble(m.mask)).containsExactly(first);
    Interpreter b = m.start(Precision.FLOAT32);
    b.evaluate(true);
    assertThat(b.readDouble(m.mask)).as("float32 stores 2 exactly").containsExactly(first);
  }

  @Test
  void theNextStepDrawsADifferentMask() {
    Model m = new Model(7, 0.5);
    Interpreter it = m.start(Precision.FLOAT64);
    it.evaluate(true);
    double[] step0 = it.readDouble(m.mask);
    double loss0 = it.lossValue();
    // step() runs step 0 with the same mask, then advances the counter.
    assertThat(it.step()).isEqualTo((float) loss0);
    assertThat(it.readDouble(m.mask)).containsExactly(step0);
    it.evaluate(true);
    double[] step1 = it.readDouble(m.mask);
    assertThat(step1).isNotEqualTo(step0);
    long agreements = 0;
    for (int i = 0; i < step0.length; i++) if (step0[i] == step1[i]) agreements++;
    assertThat((double) agreements / step0.length).as("independent draws agree about half the time").isCloseTo(0.5, within(0.03));
  }

  @Test
  void theGradientUsesTheForwardMask() {
    // d Σ(x ⊙ mask) / dx = mask.
    Model m = new Model(3, 0.25);
    Interpreter it = m.start(Precision.FLOAT64);
    it.evaluate(true);
    assertThat(it.readDouble("x.grad")).containsExactly(it.readDouble(m.mask));
    Close.assertClose(it.lossValue(), Close.F64, Arrays.stream(it.readDouble(m.mask)).sum());
  }

  @Test
  void eachDropoutNodeAndEachModelSeedHasItsOwnMask() {
    GraphBuilder g = GraphBuilder.create(5);
    Tensor x = g.input("x", ROWS, COLS);
    g.output("a", g.dropout(x, 0.5)).output("b", g.dropout(x, 0.5));
    g.loss(g.sum(x));
    Graph graph = g.build();
    Interpreter it = Interpreter.create(graph, Precision.FLOAT64);
    double[] ones = new double[ROWS * COLS];
    Arrays.fill(ones, 1);
    it.setInput("x", ones);
    it.evaluate(true);
    assertThat(it.readDouble("a")).isNotEqualTo(it.readDouble("b"));

    Interpreter same = new Model(5, 0.5).start(Precision.FLOAT64);
    Interpreter other = new Model(6, 0.5).start(Precision.FLOAT64);
    same.evaluate(true);
    other.evaluate(true);
    assertThat(same.readDouble("out")).isNotEqualTo(other.readDouble("out"));
    Interpreter again = new Model(5, 0.5).start(Precision.FLOAT64);
    again.evaluate(true);
    assertThat(again.readDouble("out")).containsExactly(same.readDouble("out"));
  }

  @Test
  void dropoutWithPZeroIsTheInputItselfAndPOneIsRejected() {
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 2, 2);
    assertThat(g.dropout(x, 0).node()).isSameAs(x.node());
    assertThatThrownBy(() -> g.dropout(x, 1))
        .isInstanceOf(GraphException.class)
        .hasMessageContaining("probability must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> g.dropout(x, -0.1)).hasMessageContaining("got -0.1");
  }
}
