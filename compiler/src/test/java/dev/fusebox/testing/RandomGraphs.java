package dev.fusebox.testing;

import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ops.Axis;
import dev.fusebox.runtime.init.Initializers;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random forward graphs of the supported ops, for property tests: a batch input, a few dense layers
 * with random activations, and random elementwise, reduction, transpose, matmul and softmax steps
 * mixed in, ending in a random loss. Shapes are chosen to fit; the same seed gives the same graph.
 */
public final class RandomGraphs {
  private RandomGraphs() {}

  private static final String[] ACTIVATIONS = {"relu", "sigmoid", "tanh", "hard_sigmoid", "hard_tanh", "leaky_relu(0.1)", "elu",
      "softplus", "swish", "swish(learned)", "prelu", "gelu", "gelu_tanh", "maxout(2)", "identity"};

  public static Graph forward(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int batch = 1 + rng.nextInt(5);
    int width = 1 + rng.nextInt(6);
    GraphBuilder g = GraphBuilder.create(seed);
    Tensor x = g.input("x", batch, width);
    List<Tensor> pool = new ArrayList<>(List.of(x));
    Tensor h = x;
    int steps = 2 + rng.nextInt(6);
    for (int s = 0; s < steps; s++) {
      int choice = s == 0 ? 0 : rng.nextInt(10); // start with a dense layer: every graph has parameters
      int units = 1 + rng.nextInt(6);
      switch (choice) {
        case 0, 1, 2 -> h = g.dense("d" + s, h, units, Activation.parse(ACTIVATIONS[rng.nextInt(ACTIVATIONS.length)]));
        case 3 -> h = g.add(h, g.parameter("b" + s, Initializers.normal(0, 1), h.shape().cols()));
        case 4 -> h = g.mul(h, g.sigmoid(pick(pool, h, rng)));
        case 5 -> {
          Tensor w = g.parameter("w" + s, Initializers.normal(0, 0.5), units, h.shape().cols());
          h = rng.nextBoolean() ? g.matmul(h, w, false, true) : g.transpose(g.matmul(w, g.transpose(h)));
        }
        case 6 -> h = g.sub(h, g.mean(h, rng.nextBoolean() ? Axis.PER_ROW : Axis.PER_COLUMN));
        case 7 -> h = rng.nextBoolean() ? g.softmax(h) : g.logSoftmax(h);
        case 8 -> h = g.div(h, g.affine(g.square(pick(pool, h, rng)), 1, 0.5));
        default -> h = g.dropout(g.tanh(h), 0.25);
      }
      pool.add(h);
    }
    int classes = h.shape().cols();
    Tensor loss;
    int kind = classes >= 2 ? rng.nextInt(4) : rng.nextInt(2);
    switch (kind) {
      case 0 -> loss = g.mse(h, g.targets("y", batch, classes));
      case 1 -> loss = g.bceWithLogits(h, g.targets("y", batch, classes));
      case 2 -> loss = g.softmaxCrossEntropy(h, g.labels("y", batch, classes));
      default -> loss = g.crossEntropy(g.softmax(h), g.oneHot("y", batch, classes));
    }
    if (rng.nextBoolean()) loss = g.add(loss, g.scale(g.l2(g.tensor(firstParameter(g))), 0.01));
    return g.output("prediction", h).loss(loss).build();
  }

  /** A tensor of the pool with the same shape as {@code like}, or {@code like} itself. */
  private static Tensor pick(List<Tensor> pool, Tensor like, SplittableRandom rng) {
    List<Tensor> same = pool.stream().filter(t -> t.shape().equals(like.shape())).toList();
    return same.get(rng.nextInt(same.size()));
  }

  private static dev.fusebox.ir.Node firstParameter(GraphBuilder g) {
    return g.graph().nodes().stream().filter(n -> n.op().isVariable()).findFirst().orElseThrow();
  }
}
