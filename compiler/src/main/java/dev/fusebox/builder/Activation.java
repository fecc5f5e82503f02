package dev.fusebox.builder;

import dev.fusebox.ir.GraphException;
import dev.fusebox.ir.Op;
import dev.fusebox.ops.Catalogue;
import dev.fusebox.ops.Catalogue.ActivationEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An activation for {@link GraphBuilder#dense}, by name as in spec files: {@code identity} (none), or
 * any activation of the {@link Catalogue} that a dense layer takes ({@link #NAMES} lists them).
 * Parameterised ones take an optional argument: {@code leaky_relu(0.1)} (γ, default 0.01),
 * {@code elu(0.5)} (γ, default 1), {@code hard_sigmoid(0.2)} (slope, default 0.25 as in the textbook),
 * {@code swish(2)} (fixed β, default 1; {@code swish(learned)} learns β per unit), {@code prelu}
 * (learned slope per unit, initialised to 0.25 as in PyTorch), {@code maxout(3)} (pieces k, default 2).
 */
public final class Activation {
  /** The names {@link #parse} takes: {@code identity}, then the catalogue's layer activations in order. */
  public static final List<String> NAMES = names();

  /** No activation: a dense layer outputs {@code x·Wᵀ + b} as it is. */
  public static final Activation IDENTITY = new Activation(null, Double.NaN, false);
  /** The logistic {@code 1 / (1 + e⁻ˣ)}. */
  public static final Activation SIGMOID = parse("sigmoid");
  /** The hyperbolic tangent. */
  public static final Activation TANH = parse("tanh");
  /** The hard logistic {@code max(min(0.25x + 0.5, 1), 0)}, the textbook's slope; {@link #hardSigmoid} sets another. */
  public static final Activation HARD_SIGMOID = parse("hard_sigmoid");
  /** {@code max(min(x, 1), −1)}. */
  public static final Activation HARD_TANH = parse("hard_tanh");
  /** {@code max(x, 0)}. */
  public static final Activation RELU = parse("relu");
  /** Leaky ReLU with γ = 0.01, as PyTorch; {@link #leakyRelu} sets another. */
  public static final Activation LEAKY_RELU = parse("leaky_relu");
  /** PReLU: a slope per unit, learned, initialised to 0.25 as in PyTorch. */
  public static final Activation PRELU = parse("prelu");
  /** ELU with γ = 1; {@link #elu} sets another. */
  public static final Activation ELU = parse("elu");
  /** {@code log(1 + eˣ)}. */
  public static final Activation SOFTPLUS = parse("softplus");
  /** Swish {@code x · sigmoid(βx)} with β = 1 (SiLU); {@link #swish} sets another. */
  public static final Activation SWISH = parse("swish");
  /** Swish with β learned per unit, initialised to 1. */
  public static final Activation SWISH_LEARNED = parse("swish(learned)");
  /** The exact GELU {@code x·Φ(x)}. */
  public static final Activation GELU = parse("gelu");
  /** GELU's tanh approximation. */
  public static final Activation GELU_TANH = parse("gelu_tanh");
  /** Maxout of 2 pieces per unit; {@link #maxout} sets another count. */
  public static final Activation MAXOUT = parse("maxout");

  private final ActivationEntry entry; // null: identity
  private final double argument; // NaN: none (no parameter, or a learned one)
  private final boolean learned;

  private Activation(ActivationEntry entry, double argument, boolean learned) {
    this.entry = entry;
    this.argument = argument;
    this.learned = learned;
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>(List.of("identity"));
    for (ActivationEntry e : Catalogue.layerActivations()) names.add(e.name());
    return List.copyOf(names);
  }

  /**
   * {@return leaky ReLU: {@code x} where positive, else {@code gamma·x}}
   *
   * @param gamma the negative slope, finite
   * @throws GraphException if {@code gamma} is not finite
   */
  public static Activation leakyRelu(double gamma) {
    return withArgument("leaky_relu", gamma);
  }

  /**
   * {@return ELU: {@code x} where positive, else {@code gamma·(eˣ − 1)}}
   *
   * @param gamma finite (PyTorch's alpha)
   * @throws GraphException if {@code gamma} is not finite
   */
  public static Activation elu(double gamma) {
    return withArgument("elu", gamma);
  }

  /**
   * {@return the hard logistic {@code max(min(slope·x + 0.5, 1), 0)}}
   *
   * @param slope positive and finite (0.25 the textbook's, 0.2 Keras's, 1/6 PyTorch's)
   * @throws GraphException if {@code slope} is not positive and finite
   */
  public static Activation hardSigmoid(double slope) {
    return withArgument("hard_sigmoid", slope);
  }

  /**
   * {@return swish {@code x · sigmoid(beta·x)} with a fixed β}
   *
   * @param beta finite
   * @throws GraphException if {@code beta} is not finite
   */
  public static Activation swish(double beta) {
    return withArgument("swish", beta);
  }

  /**
   * {@return maxout: the largest of {@code pieces} affine outputs per unit}
   *
   * @param pieces 2 or more
   * @throws GraphException if {@code pieces} is less than 2
   */
  public static Activation maxout(int pieces) {
    return withArgument("maxout", pieces);
  }

  private static Activation withArgument(String name, double value) {
    ActivationEntry e = entry(name, name);
    return new Activation(e, e.param().check(name, value), false);
  }

  /**
   * {@return the activation a spec file names}
   *
   * @param text {@code relu}, {@code leaky_relu(0.1)}, {@code maxout(3)}, {@code swish(learned)}...: a name of
   *     {@link #NAMES}, in any case, with an optional argument
   * @throws GraphException naming the known activations if the name is unknown, or saying what is
   *     wrong with the argument
   */
  public static Activation parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    int open = s.indexOf('(');
    String name = open < 0 ? s : s.substring(0, open).trim();
    String arg = open < 0 ? null : s.endsWith(")") ? s.substring(open + 1, s.length() - 1).trim() : null;
    if (open >= 0 && arg == null) throw new GraphException("activation '" + text + "': missing ')'");
    if (name.equals("identity")) {
      if (arg != null) throw new GraphException("activation 'identity' takes no argument");
      return IDENTITY;
    }
    ActivationEntry e = entry(name, text);
    if (arg == null) {
      if (e.alwaysLearned()) return new Activation(e, Double.NaN, true);
      return new Activation(e, e.param() == null ? Double.NaN : e.param().fallback(), false);
    }
    if (e.param() == null) throw new GraphException("activation '" + name + "' takes no argument");
    if (e.learned() != null && arg.equals("learned")) return new Activation(e, Double.NaN, true);
    double v;
    try {
      v = Double.parseDouble(arg);
    } catch (NumberFormatException ex) {
      throw new GraphException("activation '" + text + "': '" + arg + "' is not a number");
    }
    return new Activation(e, e.param().check(name, v), false);
  }

  private static ActivationEntry entry(String name, String text) {
    for (ActivationEntry e : Catalogue.layerActivations()) if (e.name().equals(name)) return e;
    throw new GraphException("unknown activation '" + text + "'; known: " + String.join(", ", NAMES));
  }

  /** {@return the activation's name, as {@link #NAMES} lists it} */
  public String name() {
    return entry == null ? "identity" : entry.name();
  }

  /** {@return the argument (γ, slope, β or pieces), or NaN: for activations without one, and for learned parameters} */
  public double parameter() {
    return argument;
  }

  /** {@return whether the activation learns its parameter per unit (PReLU's α, {@code swish(learned)}'s β)} */
  public boolean isLearned() {
    return learned;
  }

  /** {@return how many affine outputs a dense layer needs per unit: k for maxout, else 1} */
  public int piecesPerUnit() {
    return entry == null ? 1 : entry.piecesPerUnit(argument);
  }

  /** The op applying this activation (for a learned one, taking the learned parameter as second input); null for identity. */
  Op op() {
    if (entry == null) return null;
    return learned ? entry.learned().op().get() : entry.op(argument);
  }

  /** The parameter a learned activation creates per layer, or null. */
  Catalogue.Learned learnedParameter() {
    return learned ? entry.learned() : null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Activation a && a.name().equals(name()) && Double.compare(a.argument, argument) == 0 && a.learned == learned;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name(), argument, learned);
  }

  @Override
  public String toString() {
    if (learned && entry.param() != null) return name() + "(learned)";
    if (Double.isNaN(argument)) return name();
    return name() + "(" + (argument == Math.rint(argument) ? Long.toString((long) argument) : Double.toString(argument)) + ")";
  }
}
