package dev.fusebox.builder;

import dev.fusebox.ir.GraphException;
import java.util.List;
import java.util.Locale;

/**
 * An activation for {@link GraphBuilder#dense}, by name as in spec files: {@code identity, sigmoid,
 * tanh, hard_sigmoid, hard_tanh, relu, leaky_relu, prelu, elu, softplus, swish, gelu, gelu_tanh,
 * maxout}. Parameterised ones take an optional argument: {@code leaky_relu(0.1)} (γ, default 0.01),
 * {@code elu(0.5)} (γ, default 1), {@code hard_sigmoid(0.2)} (slope, default 0.25 as in the textbook),
 * {@code swish(2)} (fixed β, default 1; {@code swish(learned)} learns β per unit), {@code prelu}
 * (learned slope per unit, initialised to 0.25 as in PyTorch), {@code maxout(3)} (pieces k, default 2).
 */
public final class Activation {
  public static final List<String> NAMES = List.of("identity", "sigmoid", "tanh", "hard_sigmoid", "hard_tanh", "relu",
      "leaky_relu", "prelu", "elu", "softplus", "swish", "gelu", "gelu_tanh", "maxout");

  public static final Activation IDENTITY = new Activation("identity", Double.NaN);
  public static final Activation SIGMOID = new Activation("sigmoid", Double.NaN);
  public static final Activation TANH = new Activation("tanh", Double.NaN);
  public static final Activation HARD_SIGMOID = new Activation("hard_sigmoid", 0.25);
  public static final Activation HARD_TANH = new Activation("hard_tanh", Double.NaN);
  public static final Activation RELU = new Activation("relu", Double.NaN);
  public static final Activation LEAKY_RELU = new Activation("leaky_relu", 0.01);
  public static final Activation PRELU = new Activation("prelu", Double.NaN);
  public static final Activation ELU = new Activation("elu", 1.0);
  public static final Activation SOFTPLUS = new Activation("softplus", Double.NaN);
  public static final Activation SWISH = new Activation("swish", 1.0);
  public static final Activation SWISH_LEARNED = new Activation("swish", Double.POSITIVE_INFINITY);
  public static final Activation GELU = new Activation("gelu", Double.NaN);
  public static final Activation GELU_TANH = new Activation("gelu_tanh", Double.NaN);
  public static final Activation MAXOUT = new Activation("maxout", 2);

  private final String name;
  private final double param; // NaN: none; +∞ for swish: learned β

  private Activation(String name, double param) {
    this.name = name;
    this.param = param;
  }

  public static Activation leakyRelu(double gamma) {
    return new Activation("leaky_relu", finite("leaky_relu", gamma));
  }

  public static Activation elu(double gamma) {
    return new Activation("elu", finite("elu", gamma));
  }

  public static Activation hardSigmoid(double slope) {
    if (!(slope > 0) || !Double.isFinite(slope)) throw new GraphException("hard_sigmoid slope must be positive, got " + slope);
    return new Activation("hard_sigmoid", slope);
  }

  public static Activation swish(double beta) {
    return new Activation("swish", finite("swish", beta));
  }

  public static Activation maxout(int pieces) {
    if (pieces < 2) throw new GraphException("maxout needs at least 2 pieces per unit, got " + pieces);
    return new Activation("maxout", pieces);
  }

  /** Parses {@code relu}, {@code leaky_relu(0.1)}, {@code maxout(3)}, {@code swish(learned)}... */
  public static Activation parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    int open = s.indexOf('(');
    String name = open < 0 ? s : s.substring(0, open).trim();
    String arg = open < 0 ? null : s.endsWith(")") ? s.substring(open + 1, s.length() - 1).trim() : null;
    if (open >= 0 && arg == null) throw new GraphException("activation '" + text + "': missing ')'");
    if (!NAMES.contains(name)) throw new GraphException("unknown activation '" + text + "'; known: " + String.join(", ", NAMES));
    if (arg == null) return byName(name);
    if (name.equals("swish") && arg.equals("learned")) return SWISH_LEARNED;
    double v;
    try {
      v = Double.parseDouble(arg);
    } catch (NumberFormatException e) {
      throw new GraphException("activation '" + text + "': '" + arg + "' is not a number");
    }
    switch (name) {
      case "leaky_relu": return leakyRelu(v);
      case "elu": return elu(v);
      case "hard_sigmoid": return hardSigmoid(v);
      case "swish": return swish(v);
      case "maxout":
        if (v != Math.rint(v)) throw new GraphException("activation '" + text + "': pieces must be an integer");
        return maxout((int) v);
      default: throw new GraphException("activation '" + name + "' takes no argument");
    }
  }

  private static Activation byName(String name) {
    switch (name) {
      case "identity": return IDENTITY;
      case "sigmoid": return SIGMOID;
      case "tanh": return TANH;
      case "hard_sigmoid": return HARD_SIGMOID;
      case "hard_tanh": return HARD_TANH;
      case "relu": return RELU;
      case "leaky_relu": return LEAKY_RELU;
      case "prelu": return PRELU;
      case "elu": return ELU;
      case "softplus": return SOFTPLUS;
      case "swish": return SWISH;
      case "gelu": return GELU;
      case "gelu_tanh": return GELU_TANH;
      case "maxout": return MAXOUT;
      default: throw new AssertionError(name);
    }
  }

  private static double finite(String name, double v) {
    if (!Double.isFinite(v)) throw new GraphException(name + " parameter must be finite, got " + v);
    return v;
  }

  public String name() {
    return name;
  }

  /** The argument (γ, slope, β or pieces), or NaN. */
  public double parameter() {
    return param;
  }

  /** How many affine outputs a dense layer needs per unit: k for maxout, else 1. */
  public int piecesPerUnit() {
    return name.equals("maxout") ? (int) param : 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Activation a && a.name.equals(name) && Double.compare(a.param, param) == 0;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Double.hashCode(param);
  }

  @Override
  public String toString() {
    if (Double.isNaN(param)) return name;
    if (param == Double.POSITIVE_INFINITY) return name + "(learned)";
    return name + "(" + (param == Math.rint(param) ? Long.toString((long) param) : Double.toString(param)) + ")";
  }
}
