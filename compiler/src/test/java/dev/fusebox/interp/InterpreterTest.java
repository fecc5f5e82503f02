package dev.fusebox.interp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.fusebox.autodiff.Autodiff;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.InputSpec;
import dev.fusebox.runtime.init.Initializers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The interpreter's contract with its caller: inputs are validated with messages that say what is
 * wrong, values are readable only after a run computed them, float32 and float64 runs agree, and a
 * non-finite value can be traced to the node that produced it.
 */
class InterpreterTest {

  /** x [2, 3] → dense(4, tanh) → dense(3) → softmax cross-entropy against labels y of 3 classes; a scalar lr scales an output. */
  static Graph classifier() {
    GraphBuilder g = GraphBuilder.create(11);
    Tensor x = g.input("x", 2, 3);
    Tensor y = g.labels("y", 2, 3);
    Tensor lr = g.scalar("lr", 0);
    Tensor h = g.dense("hidden", x, 4, Activation.TANH);
    Tensor logits = g.dense("out", h, 3, Activation.IDENTITY);
    g.output("logits", logits).output("scaled", g.mul(logits, lr));
    g.loss(g.softmaxCrossEntropy(logits, y));
    return Autodiff.differentiate(g.build());
  }

  static Interpreter ready(Precision p) {
    Interpreter it = Interpreter.create(classifier(), p);
    it.setInput("x", new float[] {0.5f, -1, 2, 0.25f, 0, -0.75f});
    it.setLabels("y", new int[] {2, 0});
    it.setScalar("lr", 0.5f);
    return it;
  }

  // ---- describing and setting inputs

  @Test
  void describesItsInputsAndBatchSize() {
    Interpreter it = Interpreter.create(classifier());
    assertThat(it.batchSize()).isEqualTo(2);
    List<InputSpec> specs = it.inputs();
    assertThat(specs).extracting(InputSpec::name).containsExactly("x", "y", "lr");
    assertThat(specs).extracting(InputSpec::kind).containsExactly(InputKind.FEATURES, InputKind.LABELS, InputKind.SCALAR);
    assertThat(specs.get(1).classes()).isEqualTo(3);
    assertThat(it.shape("hidden.weight")).containsExactly(4, 3);
    assertThat(it.shape("loss")).isEmpty();
  }

  @Test
  void anUnknownInputNameListsTheInputs() {
    Interpreter it = Interpreter.create(classifier());
    assertThatThrownBy(() -> it.setInput("features", new float[6]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no input named 'features'; inputs are [x, y, lr]");
    assertThatThrownBy(() -> it.setInput("hidden.weight", new double[12])).hasMessageContaining("no input named 'hidden.weight'");
    assertThatThrownBy(() -> it.setLabels("labels", new int[2])).hasMessageContaining("inputs are [x, y, lr]");
    assertThatThrownBy(() -> it.setScalar("rate", 1)).hasMessageContaining("no input named 'rate'");
  }

  @Test
  void aWrongNumberOfValuesNamesTheShapeAndBothCounts() {
    Interpreter it = Interpreter.create(classifier());
    assertThatThrownBy(() -> it.setInput("x", new float[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input 'x' of shape [2, 3] takes 6 values, got 5");
    assertThatThrownBy(() -> it.setInput("x", new double[7])).hasMessage("input 'x' of shape [2, 3] takes 6 values, got 7");
    assertThatThrownBy(() -> it.setLabels("y", new int[] {0, 1, 2})).hasMessage("input 'y' of shape [2] takes 2 values, got 3");
  }

  @Test
  void labelsOutsideTheClassRangeNameTheRowAndTheLabel() {
    Interpreter it = Interpreter.create(classifier());
    assertThatThrownBy(() -> it.setLabels("y", new int[] {0, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input 'y': label 3 in row 1 is outside [0, 3)");
    assertThatThrownBy(() -> it.setLabels("y", new int[] {-1, 0})).hasMessageContaining("label -1 in row 0");
  }

  @Test
  void rejectedLabelsLeaveThePreviousLabelsInPlace() {
    Interpreter it = ready(Precision.FLOAT64);
    it.forward();
    double before = it.lossValue();
    assertThatThrownBy(() -> it.setLabels("y", new int[] {1, 7})).hasMessageContaining("label 7 in row 1");
    it.forward();
    assertThat(it.lossValue()).isEqualTo(before);
  }

  @Test
  void labelsAndFloatInputsCannotBeMixedUp() {
    Interpreter it = Interpreter.create(classifier());
    assertThatThrownBy(() -> it.setInput("y", new float[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input 'y' holds integer labels: use setLabels");
    assertThatThrownBy(() -> it.setLabels("x", new int[6]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input 'x' is FEATURES, not labels: use setInput");
  }

  @Test
  void settingLabelsFromDoublesIsRejectedLikeFromFloats() {
    Interpreter it = Interpreter.create(classifier(), Precision.FLOAT64);
    assertThatThrownBy(() -> it.setInput("y", new double[] {7.6, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input 'y' holds integer labels: use setLabels");
  }

  @Test
  void settingLabelsThroughSetScalarIsRejected() {
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 1, 3);
    g.loss(g.softmaxCrossEntropy(x, g.labels("y", 1, 3)));
    Interpreter it = Interpreter.create(g.build());
    assertThatThrownBy(() -> it.setScalar("y", 7.9f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input 'y' holds integer labels");
  }

  @Test
  void validRowsMustBeBetweenOneAndTheBatchSize() {
    Interpreter it = Interpreter.create(classifier());
    assertThatThrownBy(() -> it.setValidRows(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("valid rows must be in [1, 2], got 0");
    assertThatThrownBy(() -> it.setValidRows(3)).hasMessage("valid rows must be in [1, 2], got 3");
  }

  // ---- reading values

  @Test
  void anUnknownNodeNameIsRejected() {
    Interpreter it = ready(Precision.FLOAT32);
    it.forward();
    assertThatThrownBy(() -> it.read("nope")).isInstanceOf(IllegalArgumentException.class).hasMessage("no node named 'nope'");
    assertThatThrownBy(() -> it.shape("nope")).hasMessage("no node named 'nope'");
  }

  @Test
  void readingTheBackwardPassAfterOnlyAForwardRunSaysToStep() {
    Interpreter it = ready(Precision.FLOAT32);
    it.forward();
    assertThat(it.read("loss")).hasSize(1);
    assertThat(it.read("logits")).hasSize(6);
    assertThatThrownBy(() -> it.read("hidden.weight.grad"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("node 'hidden.weight.grad' was not computed by the last run; it is part of the backward pass: call step()");
    it.step();
    assertThat(it.read("hidden.weight.grad")).hasSize(12);
    // A later forward run makes the gradients stale again.
    it.forward();
    assertThatThrownBy(() -> it.read("out.bias.grad")).hasMessageContaining("call step()");
  }

  @Test
  void nothingComputedCanBeReadBeforeTheFirstRunButSourcesCan() {
    Interpreter it = ready(Precision.FLOAT64);
    assertThatThrownBy(() -> it.read("logits")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("node 'logits' was not computed by the last run");
    assertThat(it.readDouble("x")).containsExactly(0.5, -1, 2, 0.25, 0, -0.75);
    assertThat(it.readDouble("lr")).containsExactly(0.5);
    assertThat(it.readDouble("hidden.bias")).hasSize(4);
  }

  @Test
  void aConstantReadsAsItsValuesBeforeTheFirstRun() {
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 1, 2);
    Tensor c = g.constant(new double[] {5, 6}, 2).named("c");
    g.output("sum", g.add(x, c));
    Interpreter it = Interpreter.create(g.build(), Precision.FLOAT64);
    assertThat(it.readDouble("c")).containsExactly(5, 6);
  }

  // ---- precision

  @Test
  void float32AndFloat64RunsAgreeToFloatPrecision() {
    Interpreter f32 = ready(Precision.FLOAT32);
    Interpreter f64 = ready(Precision.FLOAT64);
    f32.evaluate(true);
    f64.evaluate(true);
    assertThat(f32.lossValue()).isCloseTo(f64.lossValue(), withinPercentage(1e-4));
    for (String name : List.of("logits", "scaled", "hidden.weight.grad", "hidden.bias.grad", "out.weight.grad", "out.bias.grad")) {
      double[] a = f32.readDouble(name), b = f64.readDouble(name);
      for (int i = 0; i < a.length; i++) {
        assertThat(a[i]).as("%s[%d]", name, i).isCloseTo(b[i], within(1e-6 * (1 + Math.abs(b[i]))));
        assertThat((double) (float) a[i]).as("float32 run stores float32 values").isEqualTo(a[i]);
      }
    }
  }

  @Test
  void stepReturnsTheLossOfTheForwardPass() {
    Interpreter it = ready(Precision.FLOAT64);
    it.evaluate(true);
    double loss = it.lossValue();
    assertThat(it.step()).isEqualTo((float) loss);
    assertThat(it.readDouble("loss")).containsExactly(loss);
  }

  // ---- tracing non-finite values

  @Test
  void firstNonFiniteNamesTheNodeThatFirstProducedNaN() {
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 1, 3);
    Tensor logs = g.log(x).named("logs");
    Tensor roots = g.sqrt(logs).named("roots"); // NaN too, but only because its input is
    g.loss(g.sum(roots));
    Interpreter it = Interpreter.create(g.build(), Precision.FLOAT32);
    it.setInput("x", new float[] {1, 4, 9});
    it.forward();
    assertThat(it.firstNonFinite()).isNull();
    it.setInput("x", new float[] {1, -4, 9});
    it.forward();
    assertThat(it.firstNonFinite())
        .startsWith("log 'logs' (#")
        .contains(" at InterpreterTest.java:")
        .endsWith("produced NaN at [0, 1]");
    assertThat(it.lossValue()).isNaN();
  }

  @Test
  void firstNonFiniteReportsInfinitiesWithTheirPosition() {
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 2, 2);
    Tensor y = g.input("y", 2, 2);
    g.output("q", g.div(x, y).named("ratio"));
    Interpreter it = Interpreter.create(g.build(), Precision.FLOAT64);
    it.setInput("x", new double[] {1, 2, -3, 4});
    it.setInput("y", new double[] {1, 2, 0, 4});
    it.forward();
    assertThat(it.firstNonFinite()).startsWith("div 'ratio'").endsWith("produced -Infinity at [1, 0]");
  }

  @Test
  void firstNonFiniteLooksOnlyAtWhatTheLastRunComputed() {
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 1, 1);
    Tensor w = g.parameter("w", Initializers.constant(1), 1, 1);
    g.output("fine", g.mul(x, w));
    g.log(g.neg(w)).named("unused"); // NaN, but no output needs it, so it is never evaluated
    Interpreter it = Interpreter.create(g.build(), Precision.FLOAT64);
    it.setInput("x", new double[] {2});
    it.forward();
    assertThat(it.readDouble("fine")).containsExactly(2);
    assertThat(it.firstNonFinite()).isNull();
  }
}
