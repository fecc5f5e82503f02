package dev.fusebox.autodiff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A 3-layer MLP: the float32 gradients training uses agree with float64 central differences. */
class MlpGradientTest {

  static Graph mlp(String activation, long seed) {
    GraphBuilder g = GraphBuilder.create(seed);
    Tensor x = g.input("x", 8, 6);
    Tensor h1 = g.dense("layers.0", x, 10, Activation.parse(activation));
    Tensor h2 = g.dense("layers.1", h1, 7, Activation.parse(activation));
    Tensor logits = g.dense("layers.2", h2, 4, Activation.IDENTITY);
    Tensor loss = g.add(g.softmaxCrossEntropy(logits, g.labels("y", 8, 4)),
        g.scale(g.l2(g.tensor(g.graph().find("layers.0.weight")), g.tensor(g.graph().find("layers.1.weight"))), 1e-3));
    return g.output("prediction", logits).loss(loss).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sigmoid", "tanh", "relu", "gelu", "maxout(3)", "prelu", "swish(learned)"})
  void float32GradientsAgreeWithFloat64CentralDifferences(String activation) {
    GradientCheck.Report report = GradientCheck.of(mlp(activation, 11)).seed(5)
        .analyticIn(Precision.FLOAT32).tolerance(2e-6, 1e-3).run();
    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.tensors()).hasSizeGreaterThanOrEqualTo(6);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sigmoid", "relu", "elu", "hard_tanh", "leaky_relu", "softplus"})
  void float64GradientsAgreeTightly(String activation) {
    GradientCheck.Report report = GradientCheck.of(mlp(activation, 3)).seed(9).run();
    assertThat(report.passed()).as(report.toString()).isTrue();
  }
}
