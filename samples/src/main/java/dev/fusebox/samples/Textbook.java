package dev.fusebox.samples;

import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.interp.Interpreter;
import dev.fusebox.ir.Graph;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.optim.TrainingGraph;
import dev.fusebox.runtime.NamedTensors;
import dev.fusebox.runtime.init.Initializers;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Backpropagation by hand, as textbooks walk through it: a 3-2-1 network (two sigmoid hidden units,
 * an identity output) learns to map the input (0.5, 0.2, 0.7) to 0.3 under the half squared error
 * ½(ŷ − y)², with plain gradient descent (lr 0.2) for 1000 epochs of one example each. At epochs 1, 2,
 * 10, 100 and 1000 it prints the forward pass and the gradient of every weight.
 *
 * <p>It runs on the reference interpreter, which keeps every node of the training graph, gradients
 * included ({@code layers.0.weight.grad}, ...), readable after {@code step()}. Compiled programs fuse
 * gradients into the updates and never store them.
 *
 * <pre>mvn -B -q -pl samples exec:exec -Dsample=Textbook</pre>
 */
public final class Textbook {
  static final float[] INPUT = {0.5f, 0.2f, 0.7f};
  static final float TARGET = 0.3f;
  static final double LR = 0.2;
  static final int EPOCHS = 1000;
  static final List<Integer> SHOWN = List.of(1, 2, 10, 100, 1000);
  static final List<String> PARAMETERS = List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias");

  /**
   * What the walk-through showed: the initial parameters, the gradients of the first epoch (computed
   * from those parameters), and the prediction before the last update and after it.
   */
  public record Result(NamedTensors initial, Map<String, float[]> firstGradients, float lastPrediction,
      float finalPrediction) {}

  private Textbook() {}

  public static void main(String[] args) {
    run(System.out);
  }

  /** One example in, one out: {@code x [1, 3]}, target {@code y [1, 1]}. */
  public static Graph model() {
    GraphBuilder g = GraphBuilder.create(1);
    Tensor x = g.input("x", 1, 3);
    Tensor y = g.targets("y", 1, 1);
    // The textbook's initialisation, and PyTorch's: uniform in ±1/√fan-in.
    Tensor h = g.dense("layers.0", x, 2, Activation.SIGMOID, Initializers.fanInUniform(), Initializers.fanInUniform());
    Tensor out = g.dense("layers.1", h, 1, Activation.IDENTITY, Initializers.fanInUniform(), Initializers.fanInUniform());
    return g.output("prediction", out).loss(g.halfMse(out, y)).build();
  }

  public static Result run(PrintStream out) {
    Interpreter net = Interpreter.create(TrainingGraph.of(model(), Optimizer.sgd(LR)));
    net.setInput("x", INPUT);
    net.setInput("y", new float[] {TARGET});
    NamedTensors initial = net.state();
    out.println("3-2-1 network, sigmoid hidden units, identity output, E = ½(ŷ − y)², gradient descent lr " + LR);
    out.println("x = (0.5, 0.2, 0.7), y = 0.3; initial weights uniform in ±1/√fan-in:");
    for (String p : PARAMETERS) out.println("  " + p + " = " + format(initial.get(p).data(), initial.get(p).shape()));

    Map<String, float[]> first = new LinkedHashMap<>();
    float prediction = Float.NaN;
    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
      // step() runs the forward pass, the backward pass and the update; every value it computed stays readable.
      float loss = net.step();
      prediction = net.read("prediction")[0];
      if (epoch == 1) for (String p : PARAMETERS) first.put(p, net.read(p + ".grad"));
      if (!SHOWN.contains(epoch)) continue;
      out.printf(Locale.ROOT, "%nepoch %d%n", epoch);
      out.println("  forward:  z₁ = " + format(net.read("layers.0.z")) + "  a₁ = σ(z₁) = " + format(net.read("layers.0.a")));
      out.printf(Locale.ROOT, "            ŷ = %.6f   E = %.6g%n", prediction, loss);
      out.printf(Locale.ROOT, "  backward: δ₂ = ŷ − y = %.6g   δ₁ = δ₂·w₂ ⊙ a₁(1 − a₁) = %s%n", prediction - TARGET,
          format(net.read("layers.0.z.grad")));
      for (String p : PARAMETERS) out.println("            ∂E/∂" + p + " = " + format(net.read(p + ".grad"), net.shape(p)));
    }
    net.forward();
    float finalPrediction = net.read("prediction")[0];
    out.printf(Locale.ROOT, "%nafter %d epochs the network predicts %.6f for the target %.1f%n", EPOCHS, finalPrediction, TARGET);
    return new Result(initial, first, prediction, finalPrediction);
  }

  /** Six significant digits, so that the tiny gradients of late epochs still show. */
  private static String format(float[] values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6g", values[i]));
    return b.append(']').toString();
  }

  /** A parameter or gradient in its shape: a weight matrix row by row, one row per hidden unit. */
  private static String format(float[] values, int[] shape) {
    if (shape.length != 2 || shape[0] == 1) return format(values);
    StringBuilder b = new StringBuilder("[");
    for (int r = 0; r < shape[0]; r++) {
      b.append(r == 0 ? "" : ", ").append(format(Arrays.copyOfRange(values, r * shape[1], (r + 1) * shape[1])));
    }
    return b.append(']').toString();
  }
}
