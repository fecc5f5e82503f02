package dev.fusebox.ops;

import dev.fusebox.ir.GraphException;
import dev.fusebox.ir.Op;
import dev.fusebox.runtime.InputKind;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.runtime.init.Initializers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every op by name, in one table: what kind of op it is, its parameter and how it is checked, and how
 * the op is made. For activations also whether a dense layer takes it and what parameter it learns; for
 * losses also how spec files and the command line use them (label kind, prediction format, scoring).
 *
 * <p>The builder ({@code Activation}, {@code GraphBuilder.activation}), spec files ({@code ModelSpec},
 * whose label kind the command line's data reading follows), the text IR ({@code OpText}), the
 * command line's output ({@code PredictionCsv}, {@code Scores}) and the documentation test of the
 * README's lists all read this table and nothing else ({@code CatalogueTest} checks the list): a new
 * activation is its semantics (in {@link Activations}) plus one row here; a new loss is its op plus
 * one row.
 */
public final class Catalogue {
  private Catalogue() {}

  /** What an op is, as the README lists it. */
  public enum Kind {
    /** Arithmetic, matrix ops and reductions: the README's "Ops". */
    OP,
    /** The README's "Activations". */
    ACTIVATION,
    /** The README's "Losses". */
    LOSS,
    /** The IR's own: sources, broadcasts, gradients of ops without an elementwise rule; not documented as ops. */
    INTERNAL
  }

  /** A row of the table. */
  public sealed interface Entry permits PlainEntry, ActivationEntry, LossEntry {
    /** The op's printed name. */
    String name();

    Kind kind();

    /** The op the text IR printed with these attributes. */
    Op fromText(Attributes attributes);
  }

  /** An op made from its printed attributes alone. */
  public record PlainEntry(String name, Kind kind, Function<Attributes, Op> make) implements Entry {
    @Override
    public Op fromText(Attributes a) {
      return make.apply(a);
    }
  }

  /** How a parameter's value is checked. */
  public enum Rule { FINITE, POSITIVE, PIECES }

  /**
   * The parameter of an activation, as spec files write it ({@code leaky_relu(0.1)}) and the text IR
   * ({@code leaky_relu[gamma=0.1]}): its attribute name, its default, and its check.
   */
  public record Param(String name, double fallback, Rule rule) {
    /** {@code value} if it passes the rule, else a {@link GraphException} naming the op and the parameter. */
    public double check(String op, double value) {
      switch (rule) {
        case FINITE -> {
          if (!Double.isFinite(value)) throw new GraphException(op + " " + name + " must be finite, got " + Arithmetic.fmt(value));
        }
        case POSITIVE -> {
          if (!(value > 0) || !Double.isFinite(value)) {
            throw new GraphException(op + " " + name + " must be positive, got " + Arithmetic.fmt(value));
          }
        }
        case PIECES -> {
          if (value != Math.rint(value)) {
            throw new GraphException(op + " " + name + " counts pieces per unit: it must be an integer, got " + Arithmetic.fmt(value));
          }
          if (value < 2) throw new GraphException(op + " needs at least 2 pieces per unit, got " + Arithmetic.fmt(value));
        }
      }
      return value;
    }
  }

  /**
   * A parameter an activation learns per unit: created by the layer as {@code <layer>.<name>}, shaped
   * {@code [units]}, starting at {@code initial}, and the op that takes it as its second input.
   */
  public record Learned(String name, double initial, Supplier<Op> op) {}

  /**
   * An activation. {@code param} is null for one without a parameter; {@code learned} is null for one
   * that learns nothing, and with a null {@code param} the activation always learns (PReLU), else only
   * when asked to ({@code swish(learned)}). {@code inLayers}: whether a dense layer, and so a spec
   * file, takes it. {@code make} builds the op from the parameter's value (NaN without one).
   */
  public record ActivationEntry(String name, Param param, Learned learned, boolean inLayers, DoubleFunction<Op> make) implements Entry {
    @Override
    public Kind kind() {
      return Kind.ACTIVATION;
    }

    /** The op with the given parameter value (NaN without a parameter), checked. */
    public Op op(double argument) {
      return make.apply(param == null ? Double.NaN : param.check(name, argument));
    }

    /** Whether the activation learns its parameter whether or not asked (PReLU). */
    public boolean alwaysLearned() {
      return learned != null && param == null;
    }

    /** How many affine outputs a dense layer needs per unit for this parameter value: k for maxout, else 1. */
    public int piecesPerUnit(double argument) {
      return param != null && param.rule() == Rule.PIECES ? (int) argument : 1;
    }

    @Override
    public Op fromText(Attributes a) {
      if (learned != null && (param == null || a.has("learned"))) return learned.op().get();
      return op(param == null ? Double.NaN : a.number(param.name()));
    }
  }

  /** How a spec file's loss reads its outputs as predictions. */
  public enum Prediction {
    /** Softmax probabilities of the logits, and the class of the largest: {@code class,p0,...}. */
    CLASS_PROBABILITIES,
    /** The logistic of the one logit, and the class its sign says: {@code probability,class}. */
    BINARY_PROBABILITY,
    /** The outputs as they are: {@code y0,...}. */
    VALUES
  }

  /** How a spec file's loss scores a model besides the loss. */
  public enum Scoring {
    /** The fraction of rows whose largest output is the label. */
    ACCURACY,
    /** The fraction of rows whose logit's sign matches a target of 0.5 and above as class 1. */
    BINARY_ACCURACY,
    /** RMSE and MAE of the outputs against the targets. */
    REGRESSION
  }

  /**
   * How a spec file names a loss, what its label column holds, and what its outputs mean. A loss on
   * class labels needs one output per class (at least 2); one read as a binary probability needs one.
   */
  public record SpecLoss(String name, LabelKind labels, Prediction prediction, Scoring scoring) {}

  /** A loss: its op, and, if spec files take it, how. */
  public record LossEntry(Loss op, SpecLoss spec) implements Entry {
    @Override
    public String name() {
      return op.name();
    }

    @Override
    public Kind kind() {
      return Kind.LOSS;
    }

    @Override
    public Op fromText(Attributes a) {
      return op;
    }
  }

  // ---- the table

  private static final List<Entry> ENTRIES = List.of(
      // ops
      plain("matmul", a -> new MatMul(a.has("transA"), a.has("transB"))),
      plain("add", a -> Arithmetic.add()),
      plain("sub", a -> Arithmetic.sub()),
      plain("mul", a -> Arithmetic.mul()),
      plain("div", a -> Arithmetic.div()),
      plain("neg", a -> Arithmetic.neg()),
      plain("exp", a -> Arithmetic.exp()),
      plain("log", a -> Arithmetic.log()),
      plain("sqrt", a -> Arithmetic.sqrt()),
      plain("square", a -> Arithmetic.square()),
      plain("abs", a -> Arithmetic.abs()),
      plain("sum", a -> Reduce.sum(axis(a))),
      plain("mean", a -> Reduce.mean(axis(a))),
      plain("transpose", a -> new Transpose()),
      // activations
      activation("sigmoid", Activations::sigmoid),
      activation("tanh", Activations::tanh),
      activation("hard_sigmoid", new Param("slope", 0.25, Rule.POSITIVE), Activations::hardSigmoid),
      activation("hard_tanh", Activations::hardTanh),
      activation("relu", Activations::relu),
      activation("leaky_relu", new Param("gamma", 0.01, Rule.FINITE), Activations::leakyRelu),
      new ActivationEntry("prelu", null, new Learned("alpha", 0.25, Activations::prelu), true, v -> Activations.prelu()),
      activation("elu", new Param("gamma", 1, Rule.FINITE), Activations::elu),
      activation("softplus", Activations::softplus),
      new ActivationEntry("swish", new Param("beta", 1, Rule.FINITE), new Learned("beta", 1, Activations::swishLearned), true,
          Activations::swish),
      activation("gelu", Activations::gelu),
      activation("gelu_tanh", Activations::geluTanh),
      activation("maxout", new Param("k", 2, Rule.PIECES), k -> new Maxout((int) k)),
      // Softmax normalises a row: a loss's input rather than a hidden layer's activation.
      new ActivationEntry("softmax", null, null, false, v -> new Softmax(false)),
      new ActivationEntry("log_softmax", null, null, false, v -> new Softmax(true)),
      // losses
      new LossEntry(new MeanSquaredError(false), new SpecLoss("mse", LabelKind.TARGET, Prediction.VALUES, Scoring.REGRESSION)),
      new LossEntry(new MeanSquaredError(true), new SpecLoss("half_mse", LabelKind.TARGET, Prediction.VALUES, Scoring.REGRESSION)),
      new LossEntry(new BinaryCrossEntropy(true),
          new SpecLoss("binary_cross_entropy", LabelKind.TARGET, Prediction.BINARY_PROBABILITY, Scoring.BINARY_ACCURACY)),
      new LossEntry(new BinaryCrossEntropy(false), null),
      new LossEntry(new SoftmaxCrossEntropy(),
          new SpecLoss("softmax_cross_entropy", LabelKind.CLASS, Prediction.CLASS_PROBABILITIES, Scoring.ACCURACY)),
      new LossEntry(new CrossEntropy(), null),
      // the IR's own
      internal("input", Catalogue::input),
      internal("param", a -> Variable.parameter(a.shape(), Initializers.byName(a.text()), 0)),
      internal("state", a -> Variable.state(a.shape(), Initializers.byName(a.text()))),
      internal("const", Catalogue::constant),
      internal("scale", a -> Arithmetic.affine(a.number("a"), a.number("b", 0))),
      internal("broadcast", a -> new BroadcastTo(a.shape("to"))),
      internal("sum_to", a -> new SumTo(a.shape("to"))),
      internal("maxout_grad", a -> new Maxout.Grad(a.integer("k"))),
      internal("dropout_mask", a -> new DropoutMask(a.shape(), a.number("p"), a.longInteger("seed"))));

  private static PlainEntry plain(String name, Function<Attributes, Op> make) {
    return new PlainEntry(name, Kind.OP, make);
  }

  private static PlainEntry internal(String name, Function<Attributes, Op> make) {
    return new PlainEntry(name, Kind.INTERNAL, make);
  }

  private static ActivationEntry activation(String name, Supplier<Op> make) {
    return new ActivationEntry(name, null, null, true, v -> make.get());
  }

  private static ActivationEntry activation(String name, Param param, DoubleFunction<Op> make) {
    return new ActivationEntry(name, param, null, true, make);
  }

  private static Axis axis(Attributes a) {
    return a.text().isEmpty() ? Axis.ALL : Axis.valueOf(a.text().toUpperCase(Locale.ROOT));
  }

  private static Op input(Attributes a) {
    InputKind kind = InputKind.valueOf(a.first().toUpperCase(Locale.ROOT));
    if (kind == InputKind.LABELS) return new Input(kind, a.shape(), a.integer("classes"));
    if (kind == InputKind.SCALAR) return Input.scalar(a.number("initial", 0));
    return new Input(kind, a.shape(), 0);
  }

  private static Op constant(Attributes a) {
    if (a.text().endsWith("…")) {
      throw new IllegalArgumentException("constant of shape " + a.shape() + " is elided in the text; it cannot be read back");
    }
    String[] parts = a.text().split(",");
    double[] v = new double[parts.length];
    for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(parts[i]);
    return new Constant(a.shape(), v);
  }

  // ---- lookups

  /** Every row, in the README's order within each kind. */
  public static List<Entry> entries() {
    return ENTRIES;
  }

  /** The rows of a kind, in order. */
  public static List<Entry> entries(Kind kind) {
    return ENTRIES.stream().filter(e -> e.kind() == kind).toList();
  }

  /** The row of that op name, if there is one. */
  public static Optional<Entry> find(String name) {
    return ENTRIES.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  /** The activations a dense layer (and so a spec file) takes, in order. */
  public static List<ActivationEntry> layerActivations() {
    List<ActivationEntry> out = new ArrayList<>();
    for (Entry e : ENTRIES) if (e instanceof ActivationEntry a && a.inLayers()) out.add(a);
    return out;
  }

  /** The losses spec files take, in order. */
  public static List<SpecLoss> specLosses() {
    List<SpecLoss> out = new ArrayList<>();
    for (Entry e : ENTRIES) if (e instanceof LossEntry l && l.spec() != null) out.add(l.spec());
    return out;
  }

  /** The loss a spec file names, if it takes one of that name. */
  public static Optional<LossEntry> specLoss(String name) {
    for (Entry e : ENTRIES) if (e instanceof LossEntry l && l.spec() != null && l.spec().name().equals(name)) return Optional.of(l);
    return Optional.empty();
  }

  /**
   * The op the text IR printed as {@code name[attributes]}: a row's, or the gradient of a loss
   * ({@code <loss>_grad}, {@code <loss>_target_grad}); empty for a name no row knows.
   */
  public static Optional<Op> fromText(String name, Attributes attributes) {
    Optional<Entry> entry = find(name);
    if (entry.isPresent()) return Optional.of(entry.get().fromText(attributes));
    for (Entry e : ENTRIES) {
      if (!(e instanceof LossEntry l)) continue;
      if (name.equals(l.name() + "_grad")) return Optional.of(new Loss.LossGrad(l.op(), false));
      if (name.equals(l.name() + "_target_grad")) return Optional.of(new Loss.LossGrad(l.op(), true));
    }
    return Optional.empty();
  }
}
