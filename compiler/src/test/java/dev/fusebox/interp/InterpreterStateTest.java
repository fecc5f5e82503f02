package dev.fusebox.interp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Shape;
import dev.fusebox.ops.Arithmetic;
import dev.fusebox.ops.Variable;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.init.Initializers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Training steps apply every update at once, from values computed before any of them; state() and
 * load() move parameters and optimizer state in and out, and load() checks everything before it
 * changes anything.
 */
class InterpreterStateTest {

  // ---- simultaneous updates

  @ParameterizedTest
  @EnumSource(Precision.class)
  void variablesSwapThroughAnOpSwapOnEveryStep(Precision p) {
    GraphBuilder g = GraphBuilder.create();
    Tensor a = g.parameter("a", Initializers.constant(1), 2);
    Tensor b = g.parameter("b", Initializers.constant(2), 2);
    g.graph().update(a.node(), g.scale(b, 1).node()).update(b.node(), g.scale(a, 1).node());
    Interpreter it = Interpreter.create(g.build(), p);
    it.step();
    assertThat(it.readDouble("a")).containsExactly(2, 2);
    assertThat(it.readDouble("b")).containsExactly(1, 1);
    it.step();
    assertThat(it.readDouble("a")).containsExactly(1, 1);
    assertThat(it.readDouble("b")).containsExactly(2, 2);
  }

  @Test
  void variablesUpdatedToEachOthersValuesSwap() {
    GraphBuilder g = GraphBuilder.create();
    Tensor a = g.parameter("a", Initializers.constant(1), 2);
    Tensor b = g.parameter("b", Initializers.constant(2), 2);
    g.graph().update(a.node(), b.node()).update(b.node(), a.node());
    Interpreter it = Interpreter.create(g.build(), Precision.FLOAT64);
    it.step();
    assertThat(it.readDouble("a")).containsExactly(2, 2);
    assertThat(it.readDouble("b")).containsExactly(1, 1);
  }

  @Test
  void momentumStyleUpdatesReadTheOldValueOfTheirState() {
    // v ← 0.9v + w and w ← w − v: w's update must use the v from before this step.
    GraphBuilder g = GraphBuilder.create();
    Tensor w = g.parameter("w", Initializers.constant(1), 1);
    Tensor v = state(g, "v", 0.5, 1);
    g.graph().update(v.node(), g.add(g.scale(v, 0.9), w).node()).update(w.node(), g.sub(w, v).node());
    Interpreter it = Interpreter.create(g.build(), Precision.FLOAT64);
    it.step();
    assertThat(it.readDouble("v")).containsExactly(0.9 * 0.5 + 1);
    assertThat(it.readDouble("w")).containsExactly(0.5);
    it.step();
    assertThat(it.readDouble("v")).containsExactly(0.9 * 1.45 + 0.5);
    assertThat(it.readDouble("w")).containsExactly(0.5 - 1.45);
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void gradientDescentStepsMoveAgainstTheGradient(Precision p) {
    // loss = ½(w − 3)², w₀ = 1: gradient −2, so w₁ = 1 − 0.1·(−2) = 1.2; the step reports the loss before it, 2.
    Interpreter it = Interpreter.create(sgd(0.1), p);
    assertThat(it.step()).isEqualTo(2f);
    assertThat(it.readDouble("w")[0]).isCloseTo(1.2, within(1e-7));
    assertThat(it.step()).isCloseTo(1.62f, within(1e-6f)); // ½(1.2 − 3)²; then w₂ = 1.2 + 0.1·1.8
    it.forward();
    assertThat(it.readDouble("w")[0]).isCloseTo(1.38, within(1e-6)); // forward changes nothing
  }

  @Test
  void forwardAndEvaluateNeverApplyUpdates() {
    Interpreter it = Interpreter.create(sgd(0.1), Precision.FLOAT64);
    it.forward();
    it.evaluate(true);
    it.evaluateLoss(true);
    assertThat(it.readDouble("w")).containsExactly(1);
    assertThat(it.lossValue()).isEqualTo(2);
  }

  // ---- state and load

  @Test
  void stateHoldsEveryParameterAndStateTensorByName() {
    Interpreter it = Interpreter.create(sgdWithMomentum(), Precision.FLOAT32);
    NamedTensors s = it.state();
    assertThat(s.names()).containsExactly("w", "m");
    assertThat(s.get("w")).isEqualTo(FloatTensor.of(new float[] {1}, 1));
    assertThat(s.get("m")).isEqualTo(FloatTensor.of(new float[] {0, 0}, 2));
  }

  @Test
  void stateIsACopy() {
    Interpreter it = Interpreter.create(sgd(0.1), Precision.FLOAT32);
    it.state().get("w").data()[0] = 99;
    assertThat(it.read("w")).containsExactly(1);
  }

  @Test
  void loadReplacesTheNamedTensorsAndKeepsTheOthers() {
    Interpreter it = Interpreter.create(sgdWithMomentum(), Precision.FLOAT64);
    it.load(new NamedTensors().put("m", FloatTensor.of(new float[] {0.25f, -4}, 2)));
    assertThat(it.readDouble("m")).containsExactly(0.25, -4);
    assertThat(it.readDouble("w")).containsExactly(1);
  }

  @Test
  void stateLoadedIntoAnotherInterpreterContinuesTheSameTraining() {
    Interpreter a = Interpreter.create(sgd(0.1), Precision.FLOAT32);
    a.step();
    a.step();
    Interpreter b = Interpreter.create(sgd(0.1), Precision.FLOAT32);
    b.load(a.state());
    assertThat(b.step()).isEqualTo(a.step());
    assertThat(b.read("w")).containsExactly(a.read("w"));
  }

  @Test
  void loadRejectsUnknownNamesListingTheKnownOnes() {
    Interpreter it = Interpreter.create(sgdWithMomentum(), Precision.FLOAT32);
    assertThatThrownBy(() -> it.load(new NamedTensors().put("velocity", FloatTensor.of(new float[2], 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tensor 'velocity' is not a parameter or state of this program; it has [w, m]");
    // Nodes that exist but are not variables are no better.
    assertThatThrownBy(() -> it.load(new NamedTensors().put("target", FloatTensor.of(new float[1]))))
        .hasMessageContaining("tensor 'target' is not a parameter or state");
  }

  @Test
  void loadRejectsWrongShapesNamingBoth() {
    Interpreter it = Interpreter.create(sgdWithMomentum(), Precision.FLOAT32);
    assertThatThrownBy(() -> it.load(new NamedTensors().put("m", FloatTensor.of(new float[2], 1, 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tensor 'm' has shape [1, 2], the program's has [2]");
  }

  @Test
  void loadRejectsNonFiniteValuesNamingTheTensorAndIndex() {
    Interpreter it = Interpreter.create(sgdWithMomentum(), Precision.FLOAT32);
    assertThatThrownBy(() -> it.load(new NamedTensors().put("m", FloatTensor.of(new float[] {0, Float.NaN}, 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tensor 'm' holds NaN at index 1");
    assertThatThrownBy(() -> it.load(new NamedTensors().put("w", FloatTensor.of(new float[] {Float.NEGATIVE_INFINITY}, 1))))
        .hasMessage("tensor 'w' holds -Infinity at index 0");
  }

  @Test
  void aRejectedLoadLeavesEveryTensorUntouched() {
    Interpreter it = Interpreter.create(sgdWithMomentum(), Precision.FLOAT32);
    it.step();
    NamedTensors before = it.state();
    // The first tensor is fine; only the second is wrong, and neither may be copied.
    NamedTensors bad = new NamedTensors()
        .put("w", FloatTensor.of(new float[] {42}, 1))
        .put("m", FloatTensor.of(new float[] {1, Float.POSITIVE_INFINITY}, 2));
    assertThatThrownBy(() -> it.load(bad)).hasMessageContaining("tensor 'm' holds Infinity");
    assertThat(it.state()).isEqualTo(before);
    NamedTensors misshapen = new NamedTensors()
        .put("w", FloatTensor.of(new float[] {42}, 1))
        .put("m", FloatTensor.of(new float[3], 3));
    assertThatThrownBy(() -> it.load(misshapen)).hasMessageContaining("tensor 'm' has shape [3]");
    assertThat(it.state()).isEqualTo(before);
  }

  // ---- graphs

  /** A non-trainable state variable holding {@code value} everywhere. */
  static Tensor state(GraphBuilder g, String name, double value, int... dims) {
    Node n = g.graph().add(Variable.state(Shape.of(dims), Initializers.constant(value)), List.of(), name, "", null);
    return g.tensor(n);
  }

  /** loss = ½(w − target)² with target = 3 and w = 1 at the start; w ← w − lr·∂loss/∂w. */
  static Graph sgd(double lr) {
    GraphBuilder g = GraphBuilder.create();
    Tensor w = g.parameter("w", Initializers.constant(1), 1);
    g.loss(g.scale(g.sum(g.square(g.sub(w, g.constant(3)))), 0.5));
    Graph graph = Autodiff.differentiate(g.build());
    Graph.Builder b = graph.toBuilder();
    Node step = b.add(Arithmetic.affine(-lr, 0), List.of(graph.output("w.grad")), "w.step", "", null);
    b.update(graph.node("w"), b.add(Arithmetic.add(), List.of(graph.node("w"), step), "w.next", "", null));
    return b.build();
  }

  /** A parameter w [1] fitted to a target input, and a state tensor m [2] that counts steps in each element. */
  static Graph sgdWithMomentum() {
    GraphBuilder g = GraphBuilder.create();
    Tensor target = g.targets("target", 1, 1);
    Tensor w = g.parameter("w", Initializers.constant(1), 1);
    Tensor m = state(g, "m", 0, 2);
    g.loss(g.mse(g.add(g.constant(new double[] {0}, 1, 1), w), target));
    g.graph().update(m.node(), g.affine(m, 1, 1).node());
    return g.build();
  }
}
