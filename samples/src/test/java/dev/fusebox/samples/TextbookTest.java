package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TextbookTest {
  private final Captured out = new Captured();
  private final Textbook.Result result = Textbook.run(out);

  @Test
  void convergesToTheTarget() {
    assertThat(result.finalPrediction()).isCloseTo(0.3f, within(1e-4f));
    assertThat(out.text()).contains("epoch 1000").contains("∂E/∂layers.0.weight");
  }

  /** The first epoch's gradients, by the chain rule in double precision from the same initial weights. */
  @Test
  void firstGradientsAreTheChainRuleByHand() {
    float[] w1 = result.initial().get("layers.0.weight").data(); // [2, 3], row j = hidden unit j
    float[] b1 = result.initial().get("layers.0.bias").data();
    float[] w2 = result.initial().get("layers.1.weight").data(); // [1, 2]
    double b2 = result.initial().get("layers.1.bias").data()[0];
    double[] x = {0.5, 0.2, 0.7};
    double y = 0.3;

    double[] a = new double[2];
    double prediction = b2;
    for (int j = 0; j < 2; j++) {
      double z = b1[j];
      for (int i = 0; i < 3; i++) z += w1[j * 3 + i] * x[i];
      a[j] = 1 / (1 + Math.exp(-z));
      prediction += w2[j] * a[j];
    }
    double delta2 = prediction - y; // dE/dŷ for E = ½(ŷ − y)²
    double[] gw1 = new double[6];
    double[] gb1 = new double[2];
    double[] gw2 = new double[2];
    for (int j = 0; j < 2; j++) {
      gw2[j] = delta2 * a[j];
      gb1[j] = delta2 * w2[j] * a[j] * (1 - a[j]); // δ₁ⱼ, through the sigmoid's derivative
      for (int i = 0; i < 3; i++) gw1[j * 3 + i] = gb1[j] * x[i];
    }

    assertClose(result.firstGradients().get("layers.0.weight"), gw1);
    assertClose(result.firstGradients().get("layers.0.bias"), gb1);
    assertClose(result.firstGradients().get("layers.1.weight"), gw2);
    assertClose(result.firstGradients().get("layers.1.bias"), new double[] {delta2});
  }

  private static void assertClose(float[] actual, double[] expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-6 + 1e-5 * Math.abs(expected[i])));
    }
  }
}
