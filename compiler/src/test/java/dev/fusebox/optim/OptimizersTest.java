package dev.fusebox.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.interp.Interpreter.Precision;
import dev.fusebox.ir.Graph;
import dev.fusebox.runtime.init.Initializers;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optimizers on f(w) = ½ Σ cᵢ (wᵢ − tᵢ)², whose gradient cᵢ(wᵢ − tᵢ) is known in closed form, against
 * an independent double-precision transcription of PyTorch's documented algorithms.
 */
class OptimizersTest {
  static final double[] W0 = {0.5, -1.0, 2.0, 0.0};
  static final double[] T = {1.0, 1.0, -1.0, 0.25};
  static final double[] C = {1.0, 3.0, 0.5, 2.0};
  static final int STEPS = 12;

  static Graph quadratic(Optimizer opt, double clip) {
    GraphBuilder g = GraphBuilder.create();
    Tensor w = g.parameter("w", Initializers.uniform(0, 1), 4);
    Tensor d = g.sub(w, g.constant(T, 4));
    g.loss(g.scale(g.sum(g.mul(g.constant(C, 4), g.square(d))), 0.5));
    return TrainingGraph.of(g.build(), opt, clip);
  }

  /** Runs the graph for STEPS steps from W0 and returns the weights after each step. */
  static double[][] run(Optimizer opt, Precision precision, double clip) {
    Interpreter p = Interpreter.create(quadratic(opt, clip), precision);
    p.writeDouble("w", W0);
    double[][] out = new double[STEPS][];
    for (int s = 0; s < STEPS; s++) {
      p.step();
      out[s] = p.readDouble("w");
    }
    return out;
  }

  // ---- the reference: PyTorch's algorithms written out from its documentation, in double precision

  interface Reference {
    void step(double[] w, double[] g, int t);
  }

  static double[] grad(double[] w) {
    double[] g = new double[w.length];
    for (int i = 0; i < w.length; i++) g[i] = C[i] * (w[i] - T[i]);
    return g;
  }

  static Reference sgd(double lr, double mu, double damp, double wd, boolean nesterov) {
    double[] b = new double[4];
    return (w, g, t) -> {
      for (int i = 0; i < 4; i++) {
        double gi = g[i] + wd * w[i];
        if (mu != 0) {
          b[i] = t == 1 ? gi : mu * b[i] + (1 - damp) * gi;
          gi = nesterov ? gi + mu * b[i] : b[i];
        }
        w[i] -= lr * gi;
      }
    };
  }

  static Reference adam(double lr, double b1, double b2, double eps, double wd, boolean amsgrad, boolean decoupled) {
    double[] m = new double[4], v = new double[4], vmax = new double[4];
    return (w, g, t) -> {
      for (int i = 0; i < 4; i++) {
        if (decoupled) w[i] *= 1 - lr * wd;
        double gi = decoupled ? g[i] : g[i] + wd * w[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        vmax[i] = Math.max(vmax[i], v[i]);
        double mHat = m[i] / (1 - Math.pow(b1, t));
        double vHat = (amsgrad ? vmax[i] : v[i]) / (1 - Math.pow(b2, t));
        w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
      }
    };
  }

  static Reference rmsprop(double lr, double alpha, double eps, double wd, double mu, boolean centered) {
    double[] s = new double[4], ga = new double[4], b = new double[4];
    return (w, g, t) -> {
      for (int i = 0; i < 4; i++) {
        double gi = g[i] + wd * w[i];
        s[i] = alpha * s[i] + (1 - alpha) * gi * gi;
        double avg = s[i];
        if (centered) {
          ga[i] = alpha * ga[i] + (1 - alpha) * gi;
          avg -= ga[i] * ga[i];
        }
        avg = Math.sqrt(avg) + eps;
        if (mu > 0) {
          b[i] = mu * b[i] + gi / avg;
          w[i] -= lr * b[i];
        } else {
          w[i] -= lr * gi / avg;
        }
      }
    };
  }

  static Reference adagrad(double lr, double lrDecay, double wd, double init, double eps) {
    double[] s = {init, init, init, init};
    return (w, g, t) -> {
      double clr = lr / (1 + (t - 1) * lrDecay);
      for (int i = 0; i < 4; i++) {
        double gi = g[i] + wd * w[i];
        s[i] += gi * gi;
        w[i] -= clr * gi / (Math.sqrt(s[i]) + eps);
      }
    };
  }

  static double[][] reference(Reference r, double clip) {
    double[] w = W0.clone();
    double[][] out = new double[STEPS][];
    for (int t = 1; t <= STEPS; t++) {
      double[] g = grad(w);
      if (clip > 0) {
        double norm = 0;
        for (double x : g) norm += x * x;
        double coef = Math.min(1, clip / (Math.sqrt(norm) + 1e-6));
        for (int i = 0; i < 4; i++) g[i] *= coef;
      }
      r.step(w, g, t);
      out[t - 1] = w.clone();
    }
    return out;
  }

  static Stream<Arguments> optimizers() {
    return Stream.of(
        Arguments.of(Optimizer.sgd(0.1), sgd(0.1, 0, 0, 0, false)),
        Arguments.of(Optimizer.sgd(0.05).withMomentum(0.9), sgd(0.05, 0.9, 0, 0, false)),
        Arguments.of(Optimizer.sgd(0.05).withMomentum(0.9).withNesterov(true), sgd(0.05, 0.9, 0, 0, true)),
        Arguments.of(Optimizer.sgd(0.05).withMomentum(0.8).withDampening(0.3).withWeightDecay(0.1), sgd(0.05, 0.8, 0.3, 0.1, false)),
        Arguments.of(Optimizer.adam(0.1), adam(0.1, 0.9, 0.999, 1e-8, 0, false, false)),
        Arguments.of(Optimizer.adam(0.05).withBetas(0.8, 0.99).withWeightDecay(0.1), adam(0.05, 0.8, 0.99, 1e-8, 0.1, false, false)),
        Arguments.of(Optimizer.adam(0.1).withAmsgrad(true), adam(0.1, 0.9, 0.999, 1e-8, 0, true, false)),
        Arguments.of(Optimizer.adamW(0.1), adam(0.1, 0.9, 0.999, 1e-8, 0.01, false, true)),
        Arguments.of(Optimizer.adamW(0.1).withWeightDecay(0.5).withEps(1e-3), adam(0.1, 0.9, 0.999, 1e-3, 0.5, false, true)),
        Arguments.of(Optimizer.rmsProp(0.01), rmsprop(0.01, 0.99, 1e-8, 0, 0, false)),
        Arguments.of(Optimizer.rmsProp(0.01).withMomentum(0.9).withCentered(true).withWeightDecay(0.05),
            rmsprop(0.01, 0.99, 1e-8, 0.05, 0.9, true)),
        Arguments.of(Optimizer.rmsProp(0.02).withAlpha(0.9).withMomentum(0.5), rmsprop(0.02, 0.9, 1e-8, 0, 0.5, false)),
        Arguments.of(Optimizer.adagrad(0.1), adagrad(0.1, 0, 0, 0, 1e-10)),
        // State is float32 like parameter files, so the initial accumulator is one float32 represents exactly.
        Arguments.of(Optimizer.adagrad(0.1).withLrDecay(0.05).withWeightDecay(0.02).withInitialAccumulator(0.25),
            adagrad(0.1, 0.05, 0.02, 0.25, 1e-10)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optimizers")
  void matchesPytorchsAlgorithm(Optimizer opt, Reference ref) {
    double[][] expected = reference(ref, 0);
    double[][] exact = run(opt, Precision.FLOAT64, 0);
    double[][] single = run(opt, Precision.FLOAT32, 0);
    for (int s = 0; s < STEPS; s++) {
      for (int i = 0; i < 4; i++) {
        assertThat(exact[s][i]).as("float64 step %d, w[%d]", s + 1, i).isCloseTo(expected[s][i], within(1e-12));
        assertThat(single[s][i]).as("float32 step %d, w[%d]", s + 1, i).isCloseTo(expected[s][i], within(2e-5));
      }
    }
  }

  @Test
  void clippingByGlobalNormScalesEveryGradientAlike() {
    double[][] expected = reference(sgd(0.1, 0, 0, 0, false), 0.5);
    double[][] actual = run(Optimizer.sgd(0.1), Precision.FLOAT64, 0.5);
    for (int s = 0; s < STEPS; s++) assertThat(actual[s]).containsExactly(expected[s], within(1e-12));
    // The first gradient has norm > 0.5, so clipping changed it.
    assertThat(actual[0]).isNotEqualTo(run(Optimizer.sgd(0.1), Precision.FLOAT64, 0)[0]);
  }

  @Test
  void firstStepsWorkedOutByHand() {
    // SGD, lr 0.1: w1 = w0 − 0.1·c(w0 − t) = [0.55, -0.4, 1.85, 0.05].
    assertThat(run(Optimizer.sgd(0.1), Precision.FLOAT64, 0)[0]).containsExactly(new double[] {0.55, -0.4, 1.85, 0.05}, within(1e-15));
    // Adam's first step moves every weight by lr·g/(|g| + ε): about lr against the gradient's sign; w[3]'s g is -0.5.
    double[] adam1 = run(Optimizer.adam(0.1), Precision.FLOAT64, 0)[0];
    assertThat(adam1).containsExactly(new double[] {0.6, -0.9, 1.9, 0.1}, within(1e-7));
    // Momentum 0.9, lr 0.1: b1 = g1; b2 = 0.9·g1 + g2, with w2 computed from w1 above.
    double[][] mom = run(Optimizer.sgd(0.1).withMomentum(0.9), Precision.FLOAT64, 0);
    double g1 = 1 * (0.5 - 1), g2 = 1 * (0.55 - 1);
    assertThat(mom[1][0]).isCloseTo(0.55 - 0.1 * (0.9 * g1 + g2), within(1e-15));
  }

  @Test
  void stateIsNamedLikePytorchsStateDict() {
    Interpreter p = Interpreter.create(quadratic(Optimizer.adam(0.1).withAmsgrad(true), 0));
    assertThat(p.state().names()).containsExactly("w", "optimizer.step", "w.exp_avg", "w.exp_avg_sq", "w.max_exp_avg_sq");
    assertThat(p.parameterNames()).containsExactly("w");
    p.step();
    p.step();
    assertThat(p.state().get("optimizer.step").data()).containsExactly(2f);
  }

  @Test
  void learningRateIsAScalarInputASchedulerCanSet() {
    Interpreter p = Interpreter.create(quadratic(Optimizer.sgd(0.1), 0), Precision.FLOAT64);
    p.writeDouble("w", W0);
    p.setScalar("lr", 0.2f);
    p.step();
    assertThat(p.readDouble("w")[0]).isCloseTo(0.5 - 0.2 * (0.5 - 1.0), within(1e-8));
    assertThat(p.inputs()).extracting(s -> s.name()).contains("lr");
  }

  @Test
  void badHyperParametersAreRejectedLikePytorch() {
    assertThatThrownBy(() -> Optimizer.sgd(-1)).hasMessage("Invalid learning rate: -1.0");
    assertThatThrownBy(() -> Optimizer.sgd(0.1).withNesterov(true)).hasMessage("Nesterov momentum requires a momentum and zero dampening");
    assertThatThrownBy(() -> Optimizer.adam(0.1).withBetas(1.0, 0.9)).hasMessage("Invalid beta parameter at index 0: 1.0");
    assertThatThrownBy(() -> Optimizer.adam(0.1).withEps(-1)).hasMessage("Invalid epsilon value: -1.0");
    assertThatThrownBy(() -> Optimizer.rmsProp(0.1).withAlpha(-0.5)).hasMessage("Invalid alpha value: -0.5");
    assertThatThrownBy(() -> Optimizer.adagrad(0.1).withLrDecay(-1)).hasMessage("Invalid lr_decay value: -1.0");
    assertThat(List.of(Optimizer.sgd(1).name(), Optimizer.adam(1).name(), Optimizer.adamW(1).name(), Optimizer.rmsProp(1).name(),
        Optimizer.adagrad(1).name()))
        .containsExactly("sgd", "adam", "adamw", "rmsprop", "adagrad");
  }
}
