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
 * Tensor x = g.input("x", 32, 64);                                  // [batch, features]
 * Tensor h = g.dense("layers.0", x, 128, Activation.RELU);
 * Tensor logits = g.dense("layers.1", h, 10, Activation.IDENTITY);
 * Tensor y = g.labelsFor("y", logits);                              // one class label in 0..9 per row
 * g.output("prediction", logits).loss(g.softmaxCrossEntropy(logits, y));
 * Graph graph = g.build();
 * }</pre>
 *
 * <p>Shapes are {@code [rows, columns]} for what runs along the batch, {@code [n]} for a bias and
 * {@code []} for a scalar. A builder is not thread-safe; the graphs it builds are immutable.
 */
public final class GraphBuilder {
  private final Graph.Builder graph = Graph.builder();
  private final long seed;
  private String site;

  private GraphBuilder(long seed) {
    this.seed = seed;
  }

  /** {@return a builder with seed 0} */
  public static GraphBuilder create() {
    return new GraphBuilder(0);
  }

  /**
   * {@return a builder whose parameters and dropout masks are drawn from {@code seed}}
   *
   * @param seed the same seed gives the same weights
   */
  public static GraphBuilder create(long seed) {
    return new GraphBuilder(seed);
  }

  /** {@return the seed parameters and dropout masks are drawn from} */
  public long seed() {
    return seed;
  }

  /**
   * Uses {@code where} (say {@code "spec.json: layers[1]"}) as the call site of the nodes created
   * next, instead of the Java caller; {@code null} returns to the Java caller.
   *
   * @param where the call site for error messages and printed graphs, or null
   * @return this builder
   */
  public GraphBuilder at(String where) {
    this.site = where;
    return this;
  }

  // ---- inputs, parameters, constants

  /**
   * Declares an input of float features, which {@link dev.fusebox.runtime.Program#setInput} sets.
   *
   * @param name the input's name, unique in the graph
   * @param rows the batch size, 1 or more
   * @param cols features per row, 1 or more
   * @return the input, {@code [rows, cols]}
   */
  public Tensor input(String name, int rows, int cols) {
    return source(name, new Input(InputKind.FEATURES, shape(name, "input", rows, cols), 0));
  }

  /**
   * Declares an input of float regression targets, which {@link dev.fusebox.runtime.Program#setInput} sets.
   *
   * @param name the input's name, unique in the graph
   * @param rows the batch size, 1 or more
   * @param cols targets per row, 1 or more
   * @return the input, {@code [rows, cols]}
   */
  public Tensor targets(String name, int rows, int cols) {
    return source(name, new Input(InputKind.TARGETS, shape(name, "input", rows, cols), 0));
  }

  /**
   * Declares an input of one-hot class targets as floats, which {@link dev.fusebox.runtime.Program#setInput} sets.
   *
   * @param name the input's name, unique in the graph
   * @param rows the batch size, 1 or more
   * @param classes the class count, 1 or more
   * @return the input, {@code [rows, classes]}
   */
  public Tensor oneHot(String name, int rows, int classes) {
    return source(name, new Input(InputKind.ONE_HOT, shape(name, "input", rows, classes), 0));
  }

  /**
   * Declares an input of integer class labels, which {@link dev.fusebox.runtime.Program#setLabels} sets;
   * {@link #labelsFor} reads the two counts off the logits instead.
   *
   * @param name the input's name, unique in the graph
   * @param rows the batch size (not the class count), 1 or more
   * @param classes the class count, 2 or more; every label is in {@code [0, classes)}
   * @return the input, {@code [rows]}
   */
  public Tensor labels(String name, int rows, int classes) {
    if (classes < 2) throw error("input", name, "needs at least 2 classes, got " + classes);
    return source(name, new Input(InputKind.LABELS, shape(name, "input", rows), classes));
  }

  /**
   * Integer class labels for {@code logits} {@code [rows, classes]}: one label per row, shape
   * {@code [rows]}, each in {@code [0, classes)}. The same input as {@code labels(name, rows, classes)},
   * read off the logits, so the call cannot be mistaken for a {@code [rows, classes]} tensor:
   * {@code Tensor y = g.labelsFor("y", logits)}.
   *
   * @param name the input's name, unique in the graph
   * @param logits the {@code [rows, classes]} tensor the labels are for, with 2 or more classes
   * @return the input, {@code [rows]}
   */
  public Tensor labelsFor(String name, Tensor logits) {
    if (logits == null) throw error("input", name, "logits are null");
    Shape s = logits.shape();
    if (s.rank() != 2) {
      throw error("input", name, "labels are declared for logits [rows, classes]; '" + logits.name() + "' has shape " + s);
    }
    return labels(name, s.rows(), s.cols());
  }

  /**
   * Declares a scalar input set between steps ({@link dev.fusebox.runtime.Program#setScalar}), such as a
   * learning rate.
   *
   * @param name the input's name, unique in the graph
   * @param initial its value until set, finite
   * @return the input, {@code []}
   */
  public Tensor scalar(String name, double initial) {
    finite("scalar", initial);
    return source(name, Input.scalar(initial));
  }

  /**
   * Declares a trainable parameter, drawn from the builder's seed and its own name.
   *
   * @param name the parameter's name, unique in the graph (the name parameter files use)
   * @param init how its values are initialised
   * @param dims its shape, each dimension 1 or more ({@code []} for a scalar)
   * @return the parameter
   */
  public Tensor parameter(String name, Initializer init, int... dims) {
    if (init == null) throw error("param", name, "initialiser is null");
    return source(name, Variable.parameter(shape(name, "param", dims), init, Seeds.forName(seed, name)));
  }

  /**
   * {@return a scalar constant {@code []}}
   *
   * @param value its value, finite
   */
  public Tensor constant(double value) {
    return constant(new double[] {value});
  }

  /**
   * {@return a constant tensor of the given shape (a scalar if no dimensions are given)}
   *
   * @param values row-major, as many as the shape holds, finite
   * @param dims the shape
   */
  public Tensor constant(double[] values, int... dims) {
    Shape s = shape("const", "const", dims);
    try {
      return add(new Constant(s, values), null);
    } catch (IllegalArgumentException e) {
      throw error("const", "const", e.getMessage());
    }
  }

  // ---- arithmetic (binary ops broadcast: a bias [n] against [batch, n])

  /**
   * {@return {@code a + b}, elementwise with NumPy broadcasting (a bias {@code [n]} against {@code [batch, n]})}
   *
   * @param a the left operand
   * @param b the right operand, of a shape that broadcasts against {@code a}'s
   */
  public Tensor add(Tensor a, Tensor b) { return add(Arithmetic.add(), null, a, b); }
  /**
   * {@return {@code a − b}, elementwise with NumPy broadcasting (a bias {@code [n]} against {@code [batch, n]})}
   *
   * @param a the left operand
   * @param b the right operand, of a shape that broadcasts against {@code a}'s
   */
  public Tensor sub(Tensor a, Tensor b) { return add(Arithmetic.sub(), null, a, b); }
  /**
   * {@return {@code a · b}, elementwise with NumPy broadcasting (a bias {@code [n]} against {@code [batch, n]})}
   *
   * @param a the left operand
   * @param b the right operand, of a shape that broadcasts against {@code a}'s
   */
  public Tensor mul(Tensor a, Tensor b) { return add(Arithmetic.mul(), null, a, b); }
  /**
   * {@return {@code a / b}, elementwise with NumPy broadcasting (a bias {@code [n]} against {@code [batch, n]})}
   *
   * @param a the left operand
   * @param b the right operand, of a shape that broadcasts against {@code a}'s
   */
  public Tensor div(Tensor a, Tensor b) { return add(Arithmetic.div(), null, a, b); }
  /**
   * {@return {@code −x}, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor neg(Tensor x) { return add(Arithmetic.neg(), null, x); }
  /**
   * {@return {@code eˣ}, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor exp(Tensor x) { return add(Arithmetic.exp(), null, x); }
  /**
   * {@return the natural logarithm, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor log(Tensor x) { return add(Arithmetic.log(), null, x); }
  /**
   * {@return the square root, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor sqrt(Tensor x) { return add(Arithmetic.sqrt(), null, x); }
  /**
   * {@return {@code x²}, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor square(Tensor x) { return add(Arithmetic.square(), null, x); }
  /**
   * {@return {@code |x|}, elementwise (gradient 0 at 0)}
   *
   * @param x any float tensor
   */
  public Tensor abs(Tensor x) { return add(Arithmetic.abs(), null, x); }

  /**
   * {@return {@code a·x + b} for constants a and b, elementwise}
   *
   * @param x any float tensor
   * @param a the factor, finite
   * @param b the offset, finite
   */
  public Tensor affine(Tensor x, double a, double b) {
    finite("scale", a);
    finite("scale", b);
    return add(Arithmetic.affine(a, b), null, x);
  }

  /**
   * {@return {@code a·x}, elementwise}
   *
   * @param x any float tensor
   * @param a the factor, finite
   */
  public Tensor scale(Tensor x, double a) {
    return affine(x, a, 0);
  }

  /**
   * {@return the matrix product {@code a·b}, {@code [m, n]}}
   *
   * @param a {@code [m, k]}
   * @param b {@code [k, n]}
   */
  public Tensor matmul(Tensor a, Tensor b) {
    return matmul(a, b, false, false);
  }

  /**
   * {@return {@code op(a)·op(b)}, transposing an operand whose flag is set: {@code matmul(x, w, false, true)}
   * is {@code x·wᵀ}}
   *
   * @param a a matrix, {@code [m, k]} (or {@code [k, m]} with {@code transA})
   * @param b a matrix, {@code [k, n]} (or {@code [n, k]} with {@code transB})
   * @param transA whether to use {@code aᵀ}
   * @param transB whether to use {@code bᵀ}
   */
  public Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
    return add(new MatMul(transA, transB), null, a, b);
  }

  /**
   * {@return {@code xᵀ}, {@code [c, r]}}
   *
   * @param x a matrix {@code [r, c]}
   */
  public Tensor transpose(Tensor x) {
    return add(new Transpose(), null, x);
  }

  /**
   * {@return the sum of every element, {@code []}}
   *
   * @param x any float tensor
   */
  public Tensor sum(Tensor x) { return sum(x, Axis.ALL); }
  /**
   * {@return the sum over an axis: {@code []}, {@code [r, 1]} per row or {@code [1, c]} per column}
   *
   * @param x a float tensor (a matrix for a per-row or per-column sum)
   * @param axis what to sum over
   */
  public Tensor sum(Tensor x, Axis axis) { return add(Reduce.sum(axis), null, x); }
  /**
   * {@return the mean of every element, {@code []}}
   *
   * @param x any float tensor
   */
  public Tensor mean(Tensor x) { return mean(x, Axis.ALL); }
  /**
   * {@return the mean over an axis: {@code []}, {@code [r, 1]} per row or {@code [1, c]} per column}
   *
   * @param x a float tensor (a matrix for a per-row or per-column mean)
   * @param axis what to average over
   */
  public Tensor mean(Tensor x, Axis axis) { return add(Reduce.mean(axis), null, x); }

  // ---- activations

  /**
   * {@return the logistic {@code 1 / (1 + e⁻ˣ)}, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor sigmoid(Tensor x) { return add(Activations.sigmoid(), null, x); }
  /**
   * {@return {@code tanh(x)}, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor tanh(Tensor x) { return add(Activations.tanh(), null, x); }
  /**
   * {@return the hard logistic {@code max(min(0.25x + 0.5, 1), 0)}, with the textbook's slope, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor hardSigmoid(Tensor x) { return hardSigmoid(x, 0.25); }
  /**
   * {@return the hard logistic {@code max(min(slope·x + 0.5, 1), 0)}, elementwise (Keras used 0.2, PyTorch 1/6)}
   *
   * @param x any float tensor
   * @param slope positive and finite
   */
  public Tensor hardSigmoid(Tensor x, double slope) { return activation(x, Activation.hardSigmoid(slope), null); }
  /**
   * {@return {@code max(min(x, 1), −1)}, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor hardTanh(Tensor x) { return add(Activations.hardTanh(), null, x); }
  /**
   * {@return {@code max(x, 0)}, elementwise (gradient 0 at 0, as PyTorch)}
   *
   * @param x any float tensor
   */
  public Tensor relu(Tensor x) { return add(Activations.relu(), null, x); }
  /**
   * {@return {@code x} where positive, else {@code gamma·x}, elementwise}
   *
   * @param x any float tensor
   * @param gamma the negative slope, finite (PyTorch's default is 0.01)
   */
  public Tensor leakyRelu(Tensor x, double gamma) { return activation(x, Activation.leakyRelu(gamma), null); }
  /**
   * {@return {@code x} where positive, else {@code gamma·(eˣ − 1)}, elementwise}
   *
   * @param x any float tensor
   * @param gamma finite (PyTorch's alpha, default 1)
   */
  public Tensor elu(Tensor x, double gamma) { return activation(x, Activation.elu(gamma), null); }
  /**
   * {@return {@code log(1 + eˣ)}, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor softplus(Tensor x) { return add(Activations.softplus(), null, x); }
  /**
   * {@return swish {@code x · sigmoid(beta·x)}, elementwise (beta 1 is SiLU)}
   *
   * @param x any float tensor
   * @param beta finite
   */
  public Tensor swish(Tensor x, double beta) { return activation(x, Activation.swish(beta), null); }
  /**
   * {@return swish {@code x · sigmoid(β·x)} with a learned β, broadcast against x}
   *
   * @param x a float tensor {@code [r, units]}
   * @param beta the learned β, {@code [units]} or {@code []} (usually a {@link #parameter})
   */
  public Tensor swish(Tensor x, Tensor beta) { return add(Activations.swishLearned(), null, x, beta); }
  /**
   * {@return PReLU: {@code x} where positive, else {@code α·x}, with learned slopes}
   *
   * @param x a float tensor {@code [r, units]}
   * @param alpha the slopes, {@code [units]} per unit or {@code []} shared (usually a {@link #parameter})
   */
  public Tensor prelu(Tensor x, Tensor alpha) { return add(Activations.prelu(), null, x, alpha); }
  /**
   * {@return the exact GELU {@code x·Φ(x)}, elementwise}
   *
   * @param x any float tensor
   */
  public Tensor gelu(Tensor x) { return add(Activations.gelu(), null, x); }
  /**
   * {@return GELU's tanh approximation, elementwise (PyTorch's {@code approximate='tanh'})}
   *
   * @param x any float tensor
   */
  public Tensor geluTanh(Tensor x) { return add(Activations.geluTanh(), null, x); }
  /**
   * {@return the maximum over groups of k consecutive columns: {@code [r, units·k] → [r, units]}; a tie
   * goes to the first piece}
   *
   * @param x a matrix whose column count is a multiple of {@code k}
   * @param k pieces per unit, 2 or more
   */
  public Tensor maxout(Tensor x, int k) {
    if (k < 2) throw error("maxout", "maxout", "needs k >= 2 pieces per unit, got " + k);
    return add(new Maxout(k), null, x);
  }
  /**
   * {@return the softmax of each row}
   *
   * @param x a matrix {@code [r, c]}
   */
  public Tensor softmax(Tensor x) { return add(new Softmax(false), null, x); }
  /**
   * {@return the log of the softmax of each row, computed stably}
   *
   * @param x a matrix {@code [r, c]}
   */
  public Tensor logSoftmax(Tensor x) { return add(new Softmax(true), null, x); }

  /**
   * Applies an activation, as the {@link Catalogue} makes it. One that learns a parameter
   * per unit (PReLU's α, learned swish's β) creates it as {@code <layer>.<name>}, shaped {@code [units]};
   * {@code layer} names it (required for those).
   *
   * @param x the pre-activation, {@code [r, units]} (or {@code [r, units·k]} for maxout)
   * @param a the activation; {@link Activation#IDENTITY} returns {@code x} itself
   * @param layer the layer's name, for a learned parameter; may be null otherwise
   * @return the activation's output
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
   *
   * @param name the layer's name, the prefix of its parameters' and nodes' names ({@code layers.0})
   * @param x the input, {@code [batch, in]}
   * @param units outputs per row, 1 or more
   * @param activation applied to {@code x·Wᵀ + b}; {@link Activation#IDENTITY} for none
   * @return the layer's output, {@code [batch, units]}
   */
  public Tensor dense(String name, Tensor x, int units, Activation activation) {
    return dense(name, x, units, activation, Initializers.fanInUniform(), Initializers.fanInUniform());
  }

  /**
   * A dense layer as {@link #dense(String, Tensor, int, Activation)} makes it, with other initialisers.
   *
   * @param name the layer's name, the prefix of its parameters' and nodes' names ({@code layers.0})
   * @param x the input, {@code [batch, in]}
   * @param units outputs per row, 1 or more
   * @param activation applied to {@code x·Wᵀ + b}; {@link Activation#IDENTITY} for none
   * @param weightInit initialises {@code <name>.weight}
   * @param biasInit initialises {@code <name>.bias}
   * @return the layer's output, {@code [batch, units]}
   */
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

  /**
   * Inverted dropout with probability p, active only in training steps; its mask is drawn from the
   * builder's seed, the node and the step.
   *
   * @param x any float tensor
   * @param p the probability of zeroing an element, in {@code [0, 1)}; kept elements are scaled by {@code 1/(1 − p)}
   * @return {@code x} with dropout, or {@code x} itself for p = 0
   */
  public Tensor dropout(Tensor x, double p) {
    if (!(p >= 0 && p < 1)) throw error("dropout", "dropout", "probability must be in [0, 1), got " + p);
    if (p == 0) return x;
    String name = graph.freshName("dropout_mask");
    Tensor mask = add(new DropoutMask(x.shape(), p, Seeds.forName(seed, name)), name);
    return mul(x, mask);
  }

  // ---- losses: each is the mean over the batch's valid rows

  /**
   * {@return the mean squared error {@code mean((p − t)²)} over valid rows × columns, {@code []}}
   *
   * @param prediction {@code [r, c]}
   * @param target float targets, {@code [r, c]}
   */
  public Tensor mse(Tensor prediction, Tensor target) { return add(new MeanSquaredError(false), null, prediction, target); }
  /**
   * {@return the textbook's half squared error {@code ½(p − t)²}, averaged over valid rows × columns, {@code []}}
   *
   * @param prediction {@code [r, c]}
   * @param target float targets, {@code [r, c]}
   */
  public Tensor halfMse(Tensor prediction, Tensor target) { return add(new MeanSquaredError(true), null, prediction, target); }
  /**
   * {@return binary cross-entropy of {@code sigmoid(logits)}, computed stably, averaged over valid rows × columns, {@code []}}
   *
   * @param logits {@code [r, c]}
   * @param target float targets in {@code [0, 1]}, {@code [r, c]}
   */
  public Tensor bceWithLogits(Tensor logits, Tensor target) { return add(new BinaryCrossEntropy(true), null, logits, target); }
  /**
   * {@return binary cross-entropy of probabilities, logs clamped at −100 as PyTorch's {@code BCELoss},
   * averaged over valid rows × columns, {@code []}}
   *
   * @param probabilities {@code [r, c]}, in {@code [0, 1]}
   * @param target float targets in {@code [0, 1]}, {@code [r, c]}
   */
  public Tensor bce(Tensor probabilities, Tensor target) { return add(new BinaryCrossEntropy(false), null, probabilities, target); }
  /**
   * {@return softmax cross-entropy from logits, computed stably, averaged over valid rows, {@code []}}
   *
   * @param logits {@code [r, c]}
   * @param target class labels {@code [r]} of c classes ({@link #labelsFor}), or one-hot or soft targets {@code [r, c]}
   */
  public Tensor softmaxCrossEntropy(Tensor logits, Tensor target) { return add(new SoftmaxCrossEntropy(), null, logits, target); }
  /**
   * {@return cross-entropy {@code −Σ t·log p} of probabilities (for example a softmax's output), logs
   * clamped at −100, averaged over valid rows, {@code []}}
   *
   * @param probabilities {@code [r, c]}
   * @param target class labels {@code [r]} of c classes, or target distributions {@code [r, c]}
   */
  public Tensor crossEntropy(Tensor probabilities, Tensor target) { return add(new CrossEntropy(), null, probabilities, target); }

  /**
   * {@return the L2 (Frobenius) penalty {@code ½ Σ‖W‖²} over the given tensors, {@code []}; scale it and add
   * it to the loss}
   *
   * @param weights one or more tensors, usually parameters
   */
  public Tensor l2(Tensor... weights) {
    return penalty("l2", weights, true);
  }

  /**
   * {@return the L1 penalty {@code Σ|W|} over the given tensors, {@code []}; scale it and add it to the loss}
   *
   * @param weights one or more tensors, usually parameters
   */
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

  /**
   * Declares a named output, which programs compute and {@link dev.fusebox.runtime.Program#read} returns.
   *
   * @param role the output's name: {@code prediction} (what trainers and exporters read), or any other;
   *     declare the loss with {@link #loss}
   * @param t a tensor of this builder
   * @return this builder
   */
  public GraphBuilder output(String role, Tensor t) {
    check(t);
    graph.output(role, t.node());
    return this;
  }

  /**
   * Declares the scalar loss a training step minimises, as the {@code loss} output.
   *
   * @param loss a tensor of this builder, {@code []}
   * @return this builder
   */
  public GraphBuilder loss(Tensor loss) {
    if (!loss.shape().isScalar()) {
      throw new GraphException("loss '" + loss.name() + "' must be a scalar, not " + loss.shape());
    }
    return output("loss", loss);
  }

  /**
   * {@return the verified graph} The builder can go on being used; later builds include later nodes.
   *
   * @throws GraphException if the graph breaks an invariant of the IR
   */
  public Graph build() {
    return graph.build();
  }

  /** {@return the underlying graph builder, for code that adds ops of its own} */
  public Graph.Builder graph() {
    return graph;
  }

  /**
   * {@return a tensor for an existing node of this builder}
   *
   * @param node a node this builder made
   */
  public Tensor tensor(Node node) {
    if (!graph.contains(node)) throw new GraphException("node '" + node.name() + "' is not in this builder");
    return new Tensor(this, node);
  }

  /**
   * Adds any op, checking its inputs' shapes and types by the op's own rule.
   *
   * @param op the op
   * @param name the node's name, or null for a fresh one
   * @param inputs tensors of this builder, as many as the op takes
   * @return the new tensor
   */
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
