package dev.fusebox.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.runtime.ConstantData;
import dev.fusebox.runtime.Program;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sizes at the JVM's limits: clear errors where nothing can work, generated code that fits where it can. */
class LimitsTest {

  @Test
  void aTensorWithMoreElementsThanAnArrayHoldsIsAnErrorNamingIt() {
    GraphBuilder g = GraphBuilder.create(1);
    assertThatThrownBy(() -> g.input("x", Integer.MAX_VALUE, 4)).isInstanceOf(GraphException.class)
        .hasMessageContaining("'x'").hasMessageContaining("8,589,934,588 elements").hasMessageContaining("a Java array's limit");
    Tensor x = g.input("x", 100_000, 8);
    assertThatThrownBy(() -> g.dense("wide", x, 2_000_000_000, Activation.RELU)).isInstanceOf(GraphException.class)
        .hasMessageContaining("wide.weight").hasMessageContaining("16,000,000,000 elements");
  }

  @Test
  void aTensorLargerThanTheHeapIsAnErrorSayingHowMuchAndHowToRaiseIt() {
    int rows = dev.fusebox.ir.Shape.MAX_ELEMENTS / 2; // 8 GiB of floats
    org.junit.jupiter.api.Assumptions.assumeTrue(4L * 2 * rows > Runtime.getRuntime().maxMemory(), "a heap of 8 GiB or more holds any tensor");
    GraphBuilder g = GraphBuilder.create(2);
    assertThatThrownBy(() -> g.input("big", rows, 2)).isInstanceOf(GraphException.class).hasMessageContaining("'big'")
        .hasMessageContaining("maximum heap").hasMessageContaining("-Xmx");
  }

  @Test
  void arraysThatFitOneByOneButNotTogetherAreAnErrorBeforeAnythingIsAllocated() {
    long max = Runtime.getRuntime().maxMemory();
    int rows = (int) Math.min(dev.fusebox.ir.Shape.MAX_ELEMENTS, max / 4 / 3); // a third of the heap each
    GraphBuilder g = GraphBuilder.create(5);
    Tensor sum = g.input("x0", rows, 1);
    for (int i = 1; i < 4; i++) sum = g.add(sum, g.input("x" + i, rows, 1));
    Tensor w = g.parameter("w", dev.fusebox.runtime.init.Initializers.normal(0, 1), 1);
    Graph forward = g.loss(g.mean(g.mul(sum, w))).build();
    Compiler.Compilation c = Compiler.compile(forward, Optimizer.sgd(0.1), CompileOptions.defaults().withDebug(0));
    for (Target t : new Target[] {Target.vector(), Target.scalar(), Target.interpreter()}) {
      assertThatThrownBy(() -> c.program(t)).as(t.toString()).isInstanceOf(GraphException.class).hasMessageContaining("arrays")
          .hasMessageContaining("maximum heap").hasMessageContaining("-Xmx");
    }
  }

  /** Ten thousand elements of a constant would overflow a class initializer written as an array literal. */
  @Test
  void aLargeConstantCompiles() {
    GraphBuilder g = GraphBuilder.create(3);
    double[] values = DifferentialTest.weights(120 * 100, 5);
    Tensor w = g.parameter("w", dev.fusebox.runtime.init.Initializers.normal(0, 1), 120, 100);
    Graph forward = g.loss(g.sum(g.mul(w, g.constant(values, 120, 100)))).build();
    Compiler.Compilation c = Compiler.compile(forward, null, CompileOptions.defaults().withDebug(0));
    assertThat(c.source(Backend.VECTOR).code()).contains(ConstantData.class.getSimpleName() + ".decode(");
    try (Program p = c.program(Target.vector())) {
      p.step();
      float[] grad = p.read("w.grad");
      for (int i = 0; i < values.length; i += 997) assertThat(grad[i]).isEqualTo((float) values[i]);
    }
  }

  /**
   * A 1000-layer narrow network: one class would exceed the JVM's 65,535 constants and a constructor its
   * 64 KB of bytecode, so the program is a chain of classes; it trains like the interpreter.
   */
  @Test
  void aThousandLayerNetworkCompilesAndTrains() {
    GraphBuilder g = GraphBuilder.create(4);
    Tensor h = g.input("x", 8, 4);
    for (int i = 0; i < 1000; i++) h = g.dense("layers." + i, h, 8, Activation.TANH);
    Tensor logits = g.dense("out", h, 3, Activation.IDENTITY);
    Graph forward = g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, g.labelsFor("y", logits))).build();
    Compiler.Compilation c = Compiler.compile(forward, Optimizer.adam(1e-3), CompileOptions.defaults().withDebug(0));
    String code = c.source(Backend.VECTOR).code();
    assertThat(code).contains("_Part1 extends GeneratedProgram").contains("stepPart8()");
    Interpreter reference = Interpreter.create(c.training(), Precision.FLOAT64);
    try (Program p = c.program(Target.vector())) {
      for (int step = 0; step < 3; step++) {
        Executors.feed(forward, new SplittableRandom(step), reference, p);
        float expected = reference.step(), actual = p.step();
        assertThat(actual).as("loss of step %d", step).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4f));
      }
      float[] a = reference.read("layers.0.weight"), b = p.read("layers.0.weight");
      for (int i = 0; i < a.length; i++) assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-5f));
    }
  }
}
