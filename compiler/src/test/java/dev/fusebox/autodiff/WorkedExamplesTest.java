package dev.fusebox.autodiff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.runtime.init.Initializers;
import org.junit.jupiter.api.Test;

/** Gradients worked out by hand. */
class WorkedExamplesTest {

  @Test
  void sigmoidOfAffineAtTheOriginHasSlopeOneQuarter() {
    // f(x; w, b) = σ(wx + b) at x = 1, w = 0, b = 0: ∂f/∂w = σ'(0)·x = 0.25, ∂f/∂b = 0.25.
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 1, 1);
    Tensor w = g.parameter("w", Initializers.zeros(), 1, 1);
    Tensor b = g.parameter("b", Initializers.zeros(), 1);
    Tensor f = g.sigmoid(g.add(g.matmul(x, w), b));
    g.loss(g.sum(f));
    Interpreter p = Interpreter.create(Autodiff.differentiate(g.build()), Precision.FLOAT64);
    p.setInput("x", new double[] {1});
    p.evaluate(true);
    assertThat(p.lossValue()).isEqualTo(0.5);
    assertThat(p.readDouble(p.graph().output("w.grad").name())).containsExactly(0.25);
    assertThat(p.readDouble(p.graph().output("b.grad").name())).containsExactly(0.25);
  }

  @Test
  void aNodeOnTwoPathsReceivesTheSumOfBoth() {
    // y = w·x is used twice: f = y + y² = wx + w²x². df/dw = x + 2wx² = 3 + 2·2·9 = 39 at w = 2, x = 3.
    GraphBuilder g = GraphBuilder.create();
    Tensor x = g.input("x", 1, 1);
    Tensor w = g.parameter("w", Initializers.constant(2), 1, 1);
    Tensor y = g.mul(w, x).named("y");
    g.loss(g.sum(g.add(y, g.square(y))));
    Graph graph = Autodiff.differentiate(g.build());
    Interpreter p = Interpreter.create(graph, Precision.FLOAT64);
    p.setInput("x", new double[] {3});
    p.evaluate(true);
    assertThat(p.lossValue()).isEqualTo(6 + 36);
    assertThat(p.readDouble("w.grad")).containsExactly(39.0);
    // y's gradient is the sum of the two contributions 1 + 2y = 13, built as its own node.
    assertThat(p.readDouble("y.grad")).containsExactly(13.0);
    assertThat(graph.node("y.grad").gradOf()).isEqualTo("y");
  }
}
