package dev.fusebox.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent reference: a multilayer perceptron trained in float64 with plain arrays, written from
 * the textbook definitions and PyTorch's documented update rules. It shares no code with Fusebox; the
 * tests only hand it what Fusebox's file readers read.
 *
 * <p>Dense layers compute {@code a = f(a_prev · Wᵀ + b)} with {@code W [out, in]} row-major. Losses
 * average over the batch: softmax cross-entropy over rows, MSE over rows × outputs.
 */
final class ReferenceMlp {

  enum Activation {
    IDENTITY, RELU, TANH, SIGMOID;

    double apply(double z) {
      return switch (this) {
        case IDENTITY -> z;
        case RELU -> Math.max(z, 0);
        case TANH -> Math.tanh(z);
        case SIGMOID -> 1 / (1 + Math.exp(-z));
      };
    }

    /** f'(z), given z and a = f(z); ReLU'(0) = 0 as in PyTorch. */
    double derivative(double z, double a) {
      return switch (this) {
        case IDENTITY -> 1;
        case RELU -> z > 0 ? 1 : 0;
        case TANH -> 1 - a * a;
        case SIGMOID -> a * (1 - a);
      };
    }
  }

  enum Loss { SOFTMAX_CROSS_ENTROPY, MSE }

  /** Updates one parameter tensor in place from its gradient; {@code step} counts from 1. */
  interface Optimizer {
    void update(String name, double[] p, double[] g, int step);
  }

  /** torch.optim.SGD with momentum, no dampening: b = g at step 1, else μb + g; p −= lr·b. */
  static Optimizer sgd(double lr, double momentum) {
    Map<String, double[]> buffers = new LinkedHashMap<>();
    return (name, p, g, step) -> {
      double[] b = buffers.computeIfAbsent(name, k -> new double[p.length]);
      for (int i = 0; i < p.length; i++) {
        b[i] = step == 1 ? g[i] : momentum * b[i] + g[i];
        p[i] -= lr * b[i];
      }
    };
  }

  /** torch.optim.Adam: m, v moving averages; p −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε). */
  static Optimizer adam(double lr, double beta1, double beta2, double eps) {
    Map<String, double[]> ms = new LinkedHashMap<>();
    Map<String, double[]> vs = new LinkedHashMap<>();
    return (name, p, g, step) -> {
      double[] m = ms.computeIfAbsent(name, k -> new double[p.length]);
      double[] v = vs.computeIfAbsent(name, k -> new double[p.length]);
      double bc1 = 1 - Math.pow(beta1, step);
      double bc2 = 1 - Math.pow(beta2, step);
      for (int i = 0; i < p.length; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        p[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
      }
    };
  }

  private final int[] sizes; // input, then each layer's width
  private final Activation[] activations;
  private final Loss loss;
  private final Optimizer optimizer;
  final double[][] weights; // [layer][out * in]
  final double[][] biases; // [layer][out]
  private int steps;

  /** {@code sizes[0]} inputs, then one dense layer of {@code sizes[l + 1]} units with {@code activations[l]} each. */
  ReferenceMlp(int[] sizes, Activation[] activations, Loss loss, Optimizer optimizer) {
    if (activations.length != sizes.length - 1) throw new IllegalArgumentException("one activation per layer");
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY && activations[activations.length - 1] != Activation.IDENTITY) {
      throw new IllegalArgumentException("softmax cross-entropy takes logits: the last layer must be affine");
    }
    this.sizes = sizes.clone();
    this.activations = activations.clone();
    this.loss = loss;
    this.optimizer = optimizer;
    this.weights = new double[activations.length][];
    this.biases = new double[activations.length][];
  }

  int layers() {
    return activations.length;
  }

  /** Sets layer {@code l}'s parameters, {@code w [out, in]} row-major and {@code b [out]}. */
  void set(int l, double[] w, double[] b) {
    if (w.length != sizes[l + 1] * sizes[l] || b.length != sizes[l + 1]) throw new IllegalArgumentException("layer " + l + " shape");
    weights[l] = w.clone();
    biases[l] = b.clone();
  }

  /** The network's outputs for each row of {@code x}, {@code [rows][outputs]}. */
  double[][] forward(double[][] x) {
    return pass(x).a.get(layers());
  }

  /**
   * One optimizer step on a batch: {@code x [rows][inputs]}, and class labels or targets
   * {@code [rows][outputs]} (the other null). Returns the loss before the update.
   */
  double step(double[][] x, int[] labels, double[][] targets) {
    int rows = x.length;
    Pass p = pass(x);
    double[][] out = p.a.get(layers());
    int k = sizes[sizes.length - 1];
    double value = 0;
    double[][] dz = new double[rows][k];
    for (int r = 0; r < rows; r++) {
      if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
        double max = Double.NEGATIVE_INFINITY;
        for (double z : out[r]) max = Math.max(max, z);
        double sum = 0;
        for (double z : out[r]) sum += Math.exp(z - max);
        double lse = max + Math.log(sum);
        value += lse - out[r][labels[r]];
        for (int c = 0; c < k; c++) dz[r][c] = (Math.exp(out[r][c] - lse) - (c == labels[r] ? 1 : 0)) / rows;
      } else {
        for (int c = 0; c < k; c++) {
          double d = out[r][c] - targets[r][c];
          value += d * d;
          double da = 2 * d / (rows * k);
          dz[r][c] = da * activations[layers() - 1].derivative(p.z.get(layers() - 1)[r][c], out[r][c]);
        }
      }
    }
    value /= loss == Loss.SOFTMAX_CROSS_ENTROPY ? rows : (double) rows * k;

    double[][] gw = new double[layers()][];
    double[][] gb = new double[layers()][];
    for (int l = layers() - 1; l >= 0; l--) {
      int in = sizes[l], units = sizes[l + 1];
      double[][] a = p.a.get(l);
      gw[l] = new double[units * in];
      gb[l] = new double[units];
      for (int r = 0; r < rows; r++) {
        for (int o = 0; o < units; o++) {
          gb[l][o] += dz[r][o];
          for (int i = 0; i < in; i++) gw[l][o * in + i] += dz[r][o] * a[r][i];
        }
      }
      if (l == 0) break;
      double[][] below = new double[rows][in];
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < in; i++) {
          double da = 0;
          for (int o = 0; o < units; o++) da += dz[r][o] * weights[l][o * in + i];
          below[r][i] = da * activations[l - 1].derivative(p.z.get(l - 1)[r][i], a[r][i]);
        }
      }
      dz = below;
    }
    steps++;
    for (int l = 0; l < layers(); l++) {
      optimizer.update("layers." + l + ".weight", weights[l], gw[l], steps);
      optimizer.update("layers." + l + ".bias", biases[l], gb[l], steps);
    }
    return value;
  }

  /** Pre-activations z[l] and activations a[l] (a[0] is the input). */
  private record Pass(List<double[][]> z, List<double[][]> a) {}

  private Pass pass(double[][] x) {
    List<double[][]> zs = new ArrayList<>();
    List<double[][]> as = new ArrayList<>();
    as.add(x);
    double[][] a = x;
    for (int l = 0; l < layers(); l++) {
      int in = sizes[l], units = sizes[l + 1];
      double[][] z = new double[a.length][units];
      double[][] next = new double[a.length][units];
      for (int r = 0; r < a.length; r++) {
        for (int o = 0; o < units; o++) {
          double s = biases[l][o];
          for (int i = 0; i < in; i++) s += a[r][i] * weights[l][o * in + i];
          z[r][o] = s;
          next[r][o] = activations[l].apply(s);
        }
      }
      zs.add(z);
      as.add(next);
      a = next;
    }
    return new Pass(zs, as);
  }
}
