package dev.fusebox.builder;

import dev.fusebox.ir.Graph;
import dev.fusebox.ir.GraphException;
import dev.fusebox.ir.Node;
import dev.fusebox.ir.Op;
import dev.fusebox.ir.Shape;
import dev.fusebox.ops.Activations;
import dev.fusebox.ops.Arithmetic;
import dev.fusebox.ops.Axis;
import dev.fusebox.ops.BinaryCrossEntropy;
import dev.fusebox.ops.Catalogue;
import dev.fusebox.ops.Constant;
import dev.fusebox.ops.CrossEntropy;
import dev.fusebox.ops.DropoutMask;
import dev.fusebox.ops.Input;
import dev.fusebox.ops.MatMul;
import dev.fusebox.ops.Maxout;
import dev.fusebox.ops.MeanSquaredError;
import dev.fusebox.ops.Reduce;
import dev.fusebox.ops.Softmax;
import dev.fusebox.ops.SoftmaxCrossEntropy;
import dev.fusebox.ops.Transpose;
import dev.fusebox.ops.Variable;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.Seeds;
import dev.fusebox.runtime.init.Initializer;
import dev.fusebox.runtime.init.Initializers;
import java.util.Arrays;

/**
 * Declares a static graph: inputs, parameters, ops, layers, a loss. Every method checks its
 * arguments at once and fails with a {@link GraphException} naming the op, the node, the shapes and
 * the caller's file:line. Parameters are initialised from the builder's seed and their own name, so
 * the same seed gives the same weights regardless of declaration order.
 *
 * <pre>{@code
 * GraphBuilder g = GraphBuilder.create(7);
 * Tensor x = g.input("x", 32, 64);
 * Tensor y = g.labels("y", 32, 10);
 * Tensor h = g.dense("layers.0", x, 128, Activation.RELU);
 * Tensor logits = g.dense("layers.1", h, 10, Activation.IDENTITY);
 * g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, y));
 * Graph graph = g.build();
 * }</pre>
 */
public final class GraphBuilder {
  private final Graph.Builder graph = Graph.builder();
  private final long seed;
  private String site;

  private GraphBuilder(long seed) {
    this.seed = seed;
  }

  public static GraphBuilder create() {
    return new GraphBuilder(0);
  }

  public static GraphBuilder create(long seed) {
    return new GraphBuilder(seed);
  }

  public long seed() {
    return seed;
  }

  /**
   * Uses {@code where} (say {@code "spec.json: layers[1]"}) as the call site of the nodes created
   * next, instead of the Java caller; {@code null} returns to the Java caller.
   */
  public GraphBuilder at(String where) {
    this.site = where;
    return this;
  }

  // ---- inputs, parameters, constants

  /** Float features {@code [rows, cols]}. */
  public Tensor input(String name, int rows, int cols) {
    return source(name, new Input(InputKind.FEATURES, shape(name, "input", rows, cols), 0));
  }

  /** Float regression targets {@code [rows, cols]}. */
  public Tensor targets(String name, int rows, int cols) {
    return source(name, new Input(InputKind.TARGETS, shape(name, "input", rows, cols), 0));
  }

  /** One-hot class targets {@code [rows, classes]}. */
  public Tensor oneHot(String name, int rows, int classes) {
    return source(name, new Input(InputKind.ONE_HOT, shape(name, "input", rows, classes), 0));
  }

  /** Integer class labels {@code [rows]}, each in {@code [0, classes)}. */
  public Tensor labels(String name, int rows, int classes) {
    if (classes < 2) throw error("input", name, "needs at least 2 classes, got " + classes);
    return source(name, new Input(InputKind.LABELS, shape(name, "input", rows), classes));
  }

  /**
   * Integer class labels for {@code logits} {@code [rows, classes]}: one label per row, shape
   * {@code [rows]}, each in {@code [0, classes)}. The same input as {@code labels(name, rows, classes)},
   * read off the logits, so the call cannot be mistaken for a {@code [rows, classes]} tensor:
   * {@code Tensor y = g.labelsFor("y", logits)}.
   */
  public Tensor labelsFor(String name, Tensor logits) {
    if (logits == null) throw error("input", name, "logits are null");
    Shape s = logits.shape();
    if (s.rank() != 2) {
      throw error("input", name, "labels are declared for logits [rows, classes]; '" + logits.name() + "' has shape " + s);
    }
    return labels(name, s.rows(), s.cols());
  }

  /** A scalar set between steps, such as a learning rate, holding {@code initial} until set. */
  public Tensor scalar(String name, double initial) {
    finite("scalar", initial);
    return source(name, Input.scalar(initial));
  }

  /** A trainable parameter of the given shape, initialised by {@code init}. */
  public Tensor parameter(String name, Initializer init, int... dims) {
    if (init == null) throw error("param", name, "initialiser is null");
    return source(name, Variable.parameter(shape(name, "param", dims), init, Seeds.forName(seed, name)));
  }

  /** A scalar constant. */
  public Tensor constant(double value) {
    return constant(new double[] {value});
  }

  /** A constant tensor of the given shape (a scalar if no dimensions are given). */
  public Tensor constant(double[] values, int... dims) {
    Shape s = shape("const", "const", dims);
    try {
      return add(new Constant(s, values), null);
    } catch (IllegalArgumentException e) {
      throw error("const", "const", e.getMessage());
    }
  }

  // ---- arithmetic (binary ops broadcast: a bias [n] against [batch, n])

  public Tensor add(Tensor a, Tensor b) { return add(Arithmetic.add(), null, a, b); }
  public Tensor sub(Tensor a, Tensor b) { return add(Arithmetic.sub(), null, a, b); }
  public Tensor mul(Tensor a, Tensor b) { return add(Arithmetic.mul(), null, a, b); }
  public Tensor div(Tensor a, Tensor b) { return add(Arithmetic.div(), null, a, b); }
  public Tensor neg(Tensor x) { return add(Arithmetic.neg(), null, x); }
  public Tensor exp(Tensor x) { return add(Arithmetic.exp(), null, x); }
  public Tensor log(Tensor x) { return add(Arithmetic.log(), null, x); }
  public Tensor sqrt(Tensor x) { return add(Arithmetic.sqrt(), null, x); }
  public Tensor square(Tensor x) { return add(Arithmetic.square(), null, x); }
  public Tensor abs(Tensor x) { return add(Arithmetic.abs(), null, x); }

  /** {@code a·x + b} for constants a and b. */
  public Tensor affine(Tensor x, double a, double b) {
    finite("scale", a);
    finite("scale", b);
    return add(Arithmetic.affine(a, b), null, x);
  }

  public Tensor scale(Tensor x, double a) {
    return affine(x, a, 0);
  }

  public Tensor matmul(Tensor a, Tensor b) {
    return matmul(a, b, false, false);
  }

  /** {@code op(a)·op(b)}, transposing an operand whose flag is set. */
  public Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
    return add(new MatMul(transA, transB), null, a, b);
  }

  public Tensor transpose(Tensor x) {
    return add(new Transpose(), null, x);
  }

  public Tensor sum(Tensor x) { return sum(x, Axis.ALL); }
  public Tensor sum(Tensor x, Axis axis) { return add(Reduce.sum(axis), null, x); }
  public Tensor mean(Tensor x) { return mean(x, Axis.ALL); }
  public Tensor mean(Tensor x, Axis axis) { return add(Reduce.mean(axis), null, x); }

  // ---- activations

  public Tensor sigmoid(Tensor x) { return add(Activations.sigmoid(), null, x); }
  public Tensor tanh(Tensor x) { return add(Activations.tanh(), null, x); }
  /** Hard logistic with the textbook's slope 0.25. */
  public Tensor hardSigmoid(Tensor x) { return hardSigmoid(x, 0.25); }
  public Tensor hardSigmoid(Tensor x, double slope) { return activation(x, Activation.hardSigmoid(slope), null); }
  public Tensor hardTanh(Tensor x) { return add(Activations.hardTanh(), null, x); }
  public Tensor relu(Tensor x) { return add(Activations.relu(), null, x); }
  public Tensor leakyRelu(Tensor x, double gamma) { return activation(x, Activation.leakyRelu(gamma), null); }
  public Tensor elu(Tensor x, double gamma) { return activation(x, Activation.elu(gamma), null); }
  public Tensor softplus(Tensor x) { return add(Activations.softplus(), null, x); }
  public Tensor swish(Tensor x, double beta) { return activation(x, Activation.swish(beta), null); }
  /** Swish with a learned β ({@code [units]} or {@code []}), broadcast against x. */
  public Tensor swish(Tensor x, Tensor beta) { return add(Activations.swishLearned(), null, x, beta); }
  /** PReLU with learned slopes α ({@code [units]} per unit, or {@code []} shared). */
  public Tensor prelu(Tensor x, Tensor alpha) { return add(Activations.prelu(), null, x, alpha); }
  public Tensor gelu(Tensor x) { return add(Activations.gelu(), null, x); }
  public Tensor geluTanh(Tensor x) { return add(Activations.geluTanh(), null, x); }
  /** Maximum over groups of k consecutive columns: {@code [r, units·k] → [r, units]}. */
  public Tensor maxout(Tensor x, int k) {
    if (k < 2) throw error("maxout", "maxout", "needs k >= 2 pieces per unit, got " + k);
    return add(new Maxout(k), null, x);
  }
  public Tensor softmax(Tensor x) { return add(new Softmax(false), null, x); }
  public Tensor logSoftmax(Tensor x) { return add(new Softmax(true), null, x); }

  /**
   * Applies an activation, as the {@link Catalogue} makes it. One that learns a parameter
   * per unit (PReLU's α, learned swish's β) creates it as {@code <layer>.<name>}, shaped {@code [units]};
   * {@code layer} names it (required for those).
   */
  public Tensor activation(Tensor x, Activation a, String layer) {
    Op op = a.op();
    if (op == null) return x;
    Catalogue.Learned learned = a.learnedParameter();
    if (learned == null) return add(op, null, x);
    Tensor p = parameter(learnedName(layer, learned.name()), Initializers.constant(learned.initial()), x.shape().cols());
    return add(op, null, x, p);
  }

  private String learnedName(String layer, String what) {
    if (layer == null) throw error(what, what, "a learned activation parameter needs a layer name");
    return layer + "." + what;
  }

  // ---- layers

  /**
   * A dense layer {@code a = f(x·Wᵀ + b)} with PyTorch's layout and names: {@code <name>.weight}
   * {@code [units·k, in]} and {@code <name>.bias} {@code [units·k]} (k = maxout pieces, else 1), both
   * initialised like {@code torch.nn.Linear} (U(±1/√fan_in)).
   */
  public Tensor dense(String name, Tensor x, int units, Activation activation) {
    return dense(name, x, units, activation, Initializers.fanInUniform(), Initializers.fanInUniform());
  }

  public Tensor dense(String name, Tensor x, int units, Activation activation, Initializer weightInit, Initializer biasInit) {
    if (units <= 0) throw error("dense", name, "units must be positive, got " + units);
    if (x.shape().rank() != 2) throw error("dense", name, "input '" + x.name() + "' must be [batch, features], not " + x.shape());
    int outputs = units * activation.piecesPerUnit();
    Tensor w = parameter(name + ".weight", weightInit, outputs, x.shape().dim(1));
    Tensor b = parameter(name + ".bias", biasInit, outputs);
    Tensor xw = matmul(x, w, false, true).named(name + ".xw");
    Tensor z = add(xw, b).named(name + ".z");
    return activation == Activation.IDENTITY ? z : activation(z, activation, name).named(name + ".a");
  }

  /** Inverted dropout with probability p, active only in training steps; its mask is seeded per node. */
  public Tensor dropout(Tensor x, double p) {
    if (!(p >= 0 && p < 1)) throw error("dropout", "dropout", "probability must be in [0, 1), got " + p);
    if (p == 0) return x;
    String name = graph.freshName("dropout_mask");
    Tensor mask = add(new DropoutMask(x.shape(), p, Seeds.forName(seed, name)), name);
    return mul(x, mask);
  }

  // ---- losses: each is the mean over the batch's valid rows

  public Tensor mse(Tensor prediction, Tensor target) { return add(new MeanSquaredError(false), null, prediction, target); }
  /** The textbook's half squared error ½(y − ŷ)², averaged. */
  public Tensor halfMse(Tensor prediction, Tensor target) { return add(new MeanSquaredError(true), null, prediction, target); }
  public Tensor bceWithLogits(Tensor logits, Tensor target) { return add(new BinaryCrossEntropy(true), null, logits, target); }
  public Tensor bce(Tensor probabilities, Tensor target) { return add(new BinaryCrossEntropy(false), null, probabilities, target); }
  /** Softmax cross-entropy from logits, against labels {@code [r]} or one-hot targets {@code [r, c]}. */
  public Tensor softmaxCrossEntropy(Tensor logits, Tensor target) { return add(new SoftmaxCrossEntropy(), null, logits, target); }
  /** Cross-entropy of probabilities (for example a softmax's output). */
  public Tensor crossEntropy(Tensor probabilities, Tensor target) { return add(new CrossEntropy(), null, probabilities, target); }

  /** L2 (Frobenius) penalty ½ Σ‖W‖² over the given tensors. */
  public Tensor l2(Tensor... weights) {
    return penalty("l2", weights, true);
  }

  /** L1 penalty Σ|W| over the given tensors. */
  public Tensor l1(Tensor... weights) {
    return penalty("l1", weights, false);
  }

  private Tensor penalty(String kind, Tensor[] weights, boolean l2) {
    if (weights.length == 0) throw error(kind, kind, "needs at least one tensor");
    Tensor total = null;
    for (Tensor w : weights) {
      Tensor t = l2 ? scale(sum(square(w)), 0.5) : sum(abs(w));
      total = total == null ? t : add(total, t);
    }
    return total;
  }

  // ---- outputs and build

  /** Declares a named output ({@code prediction}, {@code loss}, ...). */
  public GraphBuilder output(String role, Tensor t) {
    check(t);
    graph.output(role, t.node());
    return this;
  }

  /** Declares the scalar loss a training step minimises. */
  public GraphBuilder loss(Tensor loss) {
    if (!loss.shape().isScalar()) {
      throw new GraphException("loss '" + loss.name() + "' must be a scalar, not " + loss.shape());
    }
    return output("loss", loss);
  }

  /** The verified graph. The builder can go on being used; later builds include later nodes. */
  public Graph build() {
    return graph.build();
  }

  /** The underlying graph builder, for code that adds ops of its own. */
  public Graph.Builder graph() {
    return graph;
  }

  /** Wraps an existing node of this builder. */
  public Tensor tensor(Node node) {
    if (!graph.contains(node)) throw new GraphException("node '" + node.name() + "' is not in this builder");
    return new Tensor(this, node);
  }

  /** Adds any op. */
  public Tensor add(Op op, String name, Tensor... inputs) {
    Node[] nodes = new Node[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == null) throw error(op.name(), name == null ? op.name() : name, "input " + i + " is null");
      check(inputs[i]);
      nodes[i] = inputs[i].node();
    }
    return new Tensor(this, graph.add(op, Arrays.asList(nodes), name, site(), null));
  }

  Node rename(Node node, String name) {
    return graph.rename(node, name);
  }

  private Tensor source(String name, Op op) {
    if (name == null || name.isBlank()) throw error(op.name(), String.valueOf(name), "needs a name");
    return add(op, name);
  }

  private void check(Tensor t) {
    if (t.builder() != this) {
      throw new GraphException("tensor '" + t.name() + "' belongs to another graph builder; nodes of two builders cannot be mixed");
    }
  }

  private String site() {
    return site != null ? site : CallSites.capture();
  }

  private Shape shape(String name, String op, int... dims) {
    try {
      return Shape.of(dims);
    } catch (IllegalArgumentException e) {
      throw error(op, name, e.getMessage());
    }
  }

  private static void finite(String op, double v) {
    if (!Double.isFinite(v)) throw new GraphException(op + ": constant " + v + " is not finite");
  }

  private GraphException error(String op, String name, String message) {
    String where = site();
    return new GraphException(op + " '" + name + "'" + (where.isEmpty() ? "" : " at " + where) + ": " + message);
  }
}
