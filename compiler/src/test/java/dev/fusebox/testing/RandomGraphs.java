package dev.fusebox.testing;

import dev.fusebox.builder.Activation;
import dev.fusebox.builder.GraphBuilder;
import dev.fusebox.builder.Tensor;
import dev.fusebox.ir.Graph;
import dev.fusebox.ir.Shape;
import dev.fusebox.ops.Axis;
import dev.fusebox.runtime.init.Initializers;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random forward graphs of everything the builder accepts, for property tests; the same seed gives the
 * same graph. Not only MLPs: values of any shape ([r, c], [c], []) are kept in a pool, and each step
 * applies a random op to pool values or to new parameters, so that graphs contain parameters as
 * either operand of a matmul (transposed or not), scalar and row-vector parameters, parameters also
 * read by reductions and elementwise ops, values feeding two matmuls, chains of matmuls, broadcasts
 * of rows, columns and scalars, reductions on every axis, every activation (learned ones included),
 * softmax, dropout, transposes and constants; sometimes a parameter the loss never reaches. The loss is
 * a random loss head on a matrix of the pool, sometimes plus penalties and scalar terms of the pool.
 *
 * <p>Values stay in ranges where float32 and float64 agree closely: logs and square roots read
 * positive arguments, divisions divide by at least 0.5, exponentials read bounded arguments.
 */
public final class RandomGraphs {
  private RandomGraphs() {}

  private static final String[] ACTIVATIONS = {"relu", "sigmoid", "tanh", "hard_sigmoid", "hard_tanh", "leaky_relu(0.1)", "elu",
      "softplus", "swish", "swish(learned)", "prelu", "gelu", "gelu_tanh", "maxout(2)", "identity"};

  /** Sizes of the graphs: small ones (cheap, for thousands of seeds) or large enough for vector tiles and threads. */
  public enum Size {
    SMALL(6, 7), LARGE(70, 150);

    final int maxBatch, maxWidth;

    Size(int maxBatch, int maxWidth) {
      this.maxBatch = maxBatch;
      this.maxWidth = maxWidth;
    }
  }

  public static Graph forward(long seed) {
    return forward(seed, Size.SMALL);
  }

  public static Graph forward(long seed, Size size) {
    return new Generator(seed, size).graph();
  }

  private static final class Generator {
    final SplittableRandom rng;
    final Size size;
    final GraphBuilder g;
    final List<Tensor> pool = new ArrayList<>();
    final int batch;
    int names;

    Generator(long seed, Size size) {
      this.rng = new SplittableRandom(seed);
      this.size = size;
      this.g = GraphBuilder.create(seed);
      this.batch = 1 + rng.nextInt(size.maxBatch);
    }

    int width() {
      return 1 + rng.nextInt(size.maxWidth);
    }

    String name(String base) {
      return base + (names++);
    }

    Tensor param(int... dims) {
      return g.parameter(name("p"), Initializers.normal(0, dims.length == 2 ? 1 / Math.sqrt(dims[1]) : 0.5), dims);
    }

    /** The trainable parameters so far, dense layers' included. */
    List<Tensor> params() {
      return g.graph().nodes().stream().filter(n -> n.op().isVariable()).map(g::tensor).toList();
    }

    /** A matrix of the pool, most often a recent one. */
    Tensor matrix() {
      List<Tensor> m = pool.stream().filter(t -> t.shape().rank() == 2).toList();
      return rng.nextInt(3) > 0 ? m.get(m.size() - 1) : m.get(rng.nextInt(m.size()));
    }

    /** A value of exactly this shape: from the pool if one is there (a value with two readers), else a new parameter. */
    Tensor ofShape(int... dims) {
      Shape want = Shape.of(dims);
      List<Tensor> same = new ArrayList<>(pool.stream().filter(t -> t.shape().equals(want)).toList());
      same.addAll(params().stream().filter(t -> t.shape().equals(want)).toList());
      return !same.isEmpty() && rng.nextBoolean() ? same.get(rng.nextInt(same.size())) : param(dims);
    }

    Graph graph() {
      pool.add(g.input("x", batch, width()));
      int steps = 2 + rng.nextInt(7);
      for (int s = 0; s < steps; s++) pool.add(step());
      Tensor prediction = matrix();
      if (!dependsOnAParameter(prediction)) prediction = g.add(prediction, param(prediction.shape().dim(1)));
      if (rng.nextInt(6) == 0) g.parameter(name("dead"), Initializers.normal(0, 1), 1 + rng.nextInt(3)); // the loss never reaches it
      Tensor loss = head(prediction);
      Tensor first = params().get(0);
      if (rng.nextInt(3) == 0) loss = g.add(loss, g.scale(rng.nextBoolean() ? g.l2(first) : g.l1(first), 0.01));
      if (rng.nextInt(3) == 0) loss = g.add(loss, g.tanh(g.mean(pool.get(rng.nextInt(pool.size())))));
      return g.output("prediction", prediction).loss(loss).build();
    }

    boolean dependsOnAParameter(Tensor t) {
      List<dev.fusebox.ir.Node> stack = new ArrayList<>(List.of(t.node()));
      while (!stack.isEmpty()) {
        dev.fusebox.ir.Node n = stack.remove(stack.size() - 1);
        if (n.op().isVariable()) return true;
        stack.addAll(n.inputs());
      }
      return false;
    }

    Tensor step() {
      Tensor h = matrix();
      int r = h.shape().dim(0), c = h.shape().dim(1);
      switch (rng.nextInt(14)) {
        case 0, 1:
          return g.dense(name("d"), h, 1 + rng.nextInt(size.maxWidth), Activation.parse(ACTIVATIONS[rng.nextInt(ACTIVATIONS.length)]));
        case 2, 3:
          return matmul(h);
        case 4:
          return unary(h);
        case 5, 6:
          return broadcast(h, r, c);
        case 7: { // a reduction used as a value, or subtracted back: h − mean(h)
          Axis axis = Axis.values()[rng.nextInt(3)];
          Tensor red = rng.nextBoolean() ? g.sum(h, axis) : g.mean(h, axis);
          if (rng.nextBoolean()) pool.add(red);
          return g.sub(h, axis == Axis.PER_ROW ? red : rng.nextBoolean() ? red : g.scale(red, 0.5));
        }
        case 8:
          return rng.nextBoolean() ? g.softmax(h) : g.logSoftmax(h);
        case 9:
          return g.dropout(g.tanh(h), 0.25);
        case 10:
          return g.transpose(h);
        case 11: { // a parameter also read by a reduction and an elementwise op
          List<Tensor> params = params();
          Tensor p = params.isEmpty() ? param(r, c) : params.get(rng.nextInt(params.size()));
          Tensor stat = g.tanh(rng.nextBoolean() ? g.mean(p) : g.sum(g.square(p)));
          pool.add(stat);
          return g.mul(h, g.affine(stat, 0.5, 1));
        }
        case 12: { // learned activations with explicit slopes: per column or shared
          Tensor a = rng.nextBoolean() ? param(c) : param();
          return rng.nextBoolean() ? g.prelu(h, a) : g.swish(h, a);
        }
        default:
          return c % 2 == 0 && c > 0 ? g.maxout(h, 2) : g.hardTanh(g.scale(h, 1.5));
      }
    }

    /** h·B, A·h or with transposes, the other operand a parameter or a value of the pool (then read twice). */
    Tensor matmul(Tensor h) {
      boolean hLeft = rng.nextBoolean(), transH = rng.nextBoolean(), transO = rng.nextBoolean();
      int hr = h.shape().dim(0), hc = h.shape().dim(1);
      int n = 1 + rng.nextInt(size.maxWidth);
      if (hLeft) {
        int k = transH ? hr : hc;
        Tensor other = transO ? ofShape(n, k) : ofShape(k, n);
        Tensor product = g.matmul(h, other, transH, transO);
        return rng.nextInt(4) == 0 ? g.matmul(product, ofShape(n, 1 + rng.nextInt(size.maxWidth)), false, false) : product;
      }
      int k = transH ? hc : hr;
      Tensor other = transO ? ofShape(k, n) : ofShape(n, k);
      return g.matmul(other, h, transO, transH);
    }

    Tensor unary(Tensor h) {
      switch (rng.nextInt(9)) {
        case 0: return g.neg(h);
        case 1: return g.exp(g.tanh(h));
        case 2: return g.log(g.affine(g.sigmoid(h), 1, 0.1));
        case 3: return g.sqrt(g.affine(g.abs(h), 1, 0.5));
        case 4: return g.square(g.tanh(h));
        case 5: return g.abs(h);
        case 6: return g.affine(h, -0.7, 0.3);
        case 7: return g.activation(h, Activation.parse(ACTIVATIONS[rng.nextInt(ACTIVATIONS.length - 3)]), name("act"));
        default: return g.scale(h, 2);
      }
    }

    /** h op v for v the same shape, a row [c], a column [r, 1] or a scalar: parameters, pool values, constants. */
    Tensor broadcast(Tensor h, int r, int c) {
      Tensor v = switch (rng.nextInt(5)) {
        case 0 -> ofShape(r, c);
        case 1 -> ofShape(c);
        case 2 -> g.sum(matrixWithRows(r), Axis.PER_ROW);
        case 3 -> rng.nextBoolean() ? ofShape() : ofShape(1);
        default -> g.constant(constants(c), c);
      };
      switch (rng.nextInt(4)) {
        case 0: return g.add(h, v);
        case 1: return g.sub(v, h);
        case 2: return g.mul(h, v);
        default: return g.div(h, g.affine(g.square(v), 1, 0.5));
      }
    }

    Tensor matrixWithRows(int r) {
      List<Tensor> m = pool.stream().filter(t -> t.shape().rank() == 2 && t.shape().dim(0) == r).toList();
      return m.get(rng.nextInt(m.size()));
    }

    double[] constants(int n) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) v[i] = rng.nextDouble(-1, 1);
      return v;
    }

    Tensor head(Tensor h) {
      int r = h.shape().dim(0), c = h.shape().dim(1);
      switch (rng.nextInt(c >= 2 ? 8 : 5)) {
        case 0: return g.mse(h, g.targets("y", r, c));
        case 1: return g.halfMse(h, g.targets("y", r, c));
        case 2: return g.bceWithLogits(h, g.targets("y", r, c));
        case 3: return g.bce(g.sigmoid(h), g.targets("y", r, c));
        case 4: return rng.nextBoolean() ? g.mean(g.square(h)) : g.sum(g.mul(h, g.constant(constants(r * c), r, c)));
        case 5: return g.softmaxCrossEntropy(h, g.labels("y", r, c));
        case 6: return g.softmaxCrossEntropy(h, g.oneHot("y", r, c));
        default: return g.crossEntropy(g.softmax(h), g.oneHot("y", r, c));
      }
    }
  }
}
