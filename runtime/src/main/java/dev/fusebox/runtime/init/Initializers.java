package dev.fusebox.runtime.init;

import java.util.Arrays;
import java.util.Locale;
import dev.fusebox.runtime.SplitMix64;

/**
 * The built-in initialisers. Bounds and standard deviations follow {@code torch.nn.init}:
 *
 * <ul>
 *   <li>{@code xavier_uniform}: U(±gain·√(6/(fan_in+fan_out))); {@code xavier_normal}: N(0, gain·√(2/(fan_in+fan_out)))
 *   <li>{@code he_uniform}: U(±√(6/fan_in)); {@code he_normal}: N(0, √(2/fan_in)) (Kaiming, gain √2 for ReLU)
 *   <li>{@code lecun_uniform}: U(±√(3/fan_in)); {@code lecun_normal}: N(0, √(1/fan_in))
 *   <li>{@code fan_in_uniform}: the textbook's U(±1/√fan_in), which is also what PyTorch's
 *       {@code nn.Linear} uses by default for both weight and bias
 * </ul>
 *
 * <p>Initialisers are immutable and thread-safe; two with the same {@link Initializer#name} are equal.
 */
public final class Initializers {
  private Initializers() {}

  /** {@return every value 0} */
  public static Initializer zeros() {
    return constant(0);
  }

  /**
   * {@return every value {@code value}, rounded to float}
   *
   * @param value finite
   * @throws IllegalArgumentException if {@code value} is not finite
   */
  public static Initializer constant(double value) {
    if (!Double.isFinite(value)) throw new IllegalArgumentException("constant initialiser needs a finite value, got " + value);
    return new Simple("constant(" + fmt(value) + ")", (out, shape, rng) -> Arrays.fill(out, 0, size(shape), (float) value));
  }

  /**
   * {@return values uniform in {@code [low, high)}}
   *
   * @param low the lower bound
   * @param high the upper bound, greater than {@code low}
   * @throws IllegalArgumentException unless {@code low < high}, with a finite difference
   */
  public static Initializer uniform(double low, double high) {
    if (!(low < high) || !Double.isFinite(high - low)) {
      throw new IllegalArgumentException("uniform initialiser needs finite low < high, got [" + low + ", " + high + ")");
    }
    return new Simple("uniform(" + fmt(low) + "," + fmt(high) + ")", (out, shape, rng) -> fillUniform(out, size(shape), rng, low, high));
  }

  /**
   * {@return values drawn from N(mean, std²)}
   *
   * @param mean finite
   * @param std the standard deviation, positive and finite
   * @throws IllegalArgumentException if {@code mean} is not finite or {@code std} is not positive and finite
   */
  public static Initializer normal(double mean, double std) {
    if (!(std > 0) || !Double.isFinite(std) || !Double.isFinite(mean)) {
      throw new IllegalArgumentException("normal initialiser needs finite mean and std > 0, got mean " + mean + ", std " + std);
    }
    return new Simple("normal(" + fmt(mean) + "," + fmt(std) + ")", (out, shape, rng) -> fillNormal(out, size(shape), rng, mean, std));
  }

  /** {@return Xavier (Glorot) uniform with gain 1: U(±√(6/(fan_in+fan_out)))} */
  public static Initializer xavierUniform() {
    return new Simple("xavier_uniform", (out, shape, rng) -> {
      double b = Math.sqrt(6.0 / (Initializer.fanIn(shape) + Initializer.fanOut(shape)));
      fillUniform(out, size(shape), rng, -b, b);
    });
  }

  /** {@return Xavier (Glorot) normal with gain 1: mean 0, standard deviation √(2/(fan_in+fan_out))} */
  public static Initializer xavierNormal() {
    return new Simple("xavier_normal", (out, shape, rng) ->
        fillNormal(out, size(shape), rng, 0, Math.sqrt(2.0 / (Initializer.fanIn(shape) + Initializer.fanOut(shape)))));
  }

  /** {@return He (Kaiming) uniform for ReLU: U(±√(6/fan_in))} */
  public static Initializer heUniform() {
    return new Simple("he_uniform", (out, shape, rng) -> {
      double b = Math.sqrt(6.0 / Initializer.fanIn(shape));
      fillUniform(out, size(shape), rng, -b, b);
    });
  }

  /** {@return He (Kaiming) normal for ReLU: mean 0, standard deviation √(2/fan_in)} */
  public static Initializer heNormal() {
    return new Simple("he_normal", (out, shape, rng) -> fillNormal(out, size(shape), rng, 0, Math.sqrt(2.0 / Initializer.fanIn(shape))));
  }

  /** {@return LeCun uniform: U(±√(3/fan_in))} */
  public static Initializer lecunUniform() {
    return new Simple("lecun_uniform", (out, shape, rng) -> {
      double b = Math.sqrt(3.0 / Initializer.fanIn(shape));
      fillUniform(out, size(shape), rng, -b, b);
    });
  }

  /** {@return LeCun normal: mean 0, standard deviation √(1/fan_in)} */
  public static Initializer lecunNormal() {
    return new Simple("lecun_normal", (out, shape, rng) -> fillNormal(out, size(shape), rng, 0, Math.sqrt(1.0 / Initializer.fanIn(shape))));
  }

  /** {@return the textbook's U(±1/√fan_in); PyTorch's default for {@code nn.Linear} weights and biases} */
  public static Initializer fanInUniform() {
    return new Simple("fan_in_uniform", (out, shape, rng) -> {
      double b = 1.0 / Math.sqrt(Initializer.fanIn(shape));
      fillUniform(out, size(shape), rng, -b, b);
    });
  }

  /**
   * {@return the initialiser of that name}
   *
   * @param spec the name it prints ({@code he_uniform}, {@code constant(0.1)}, {@code normal(0,0.01)}...), in any
   *     case; {@code glorot_*} and {@code kaiming_*} are taken for {@code xavier_*} and {@code he_*}
   * @throws IllegalArgumentException naming the known initialisers if the name is unknown, or saying what is
   *     wrong with the arguments
   */
  public static Initializer byName(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    int open = s.indexOf('(');
    String name = open < 0 ? s : s.substring(0, open);
    double[] args = open < 0 ? new double[0] : parseArgs(spec, s.substring(open));
    switch (name) {
      case "zeros": return arity(spec, args, 0, zeros());
      case "constant": return arity(spec, args, 1, args.length == 1 ? constant(args[0]) : null);
      case "uniform": return arity(spec, args, 2, args.length == 2 ? uniform(args[0], args[1]) : null);
      case "normal": return arity(spec, args, 2, args.length == 2 ? normal(args[0], args[1]) : null);
      case "xavier_uniform": case "glorot_uniform": return arity(spec, args, 0, xavierUniform());
      case "xavier_normal": case "glorot_normal": return arity(spec, args, 0, xavierNormal());
      case "he_uniform": case "kaiming_uniform": return arity(spec, args, 0, heUniform());
      case "he_normal": case "kaiming_normal": return arity(spec, args, 0, heNormal());
      case "lecun_uniform": return arity(spec, args, 0, lecunUniform());
      case "lecun_normal": return arity(spec, args, 0, lecunNormal());
      case "fan_in_uniform": return arity(spec, args, 0, fanInUniform());
      default:
        throw new IllegalArgumentException("unknown initialiser '" + spec + "'; known: zeros, constant(v), uniform(a,b), "
            + "normal(mean,std), xavier_uniform, xavier_normal, he_uniform, he_normal, lecun_uniform, lecun_normal, fan_in_uniform");
    }
  }

  private static Initializer arity(String spec, double[] args, int n, Initializer init) {
    if (args.length != n || init == null) {
      throw new IllegalArgumentException("initialiser '" + spec + "' takes " + n + " argument" + (n == 1 ? "" : "s"));
    }
    return init;
  }

  private static double[] parseArgs(String spec, String tail) {
    if (!tail.endsWith(")")) throw new IllegalArgumentException("initialiser '" + spec + "': missing ')'");
    String inner = tail.substring(1, tail.length() - 1).trim();
    if (inner.isEmpty()) return new double[0];
    String[] parts = inner.split(",");
    double[] v = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        v[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("initialiser '" + spec + "': '" + parts[i].trim() + "' is not a number");
      }
    }
    return v;
  }

  /** Values in a shape; an array may be longer (padded for vector code): only this many are filled. */
  static int size(int[] shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  static void fillUniform(float[] out, int n, SplitMix64 rng, double low, double high) {
    for (int i = 0; i < n; i++) out[i] = (float) (low + (high - low) * rng.nextDouble());
  }

  /** Box–Muller on StrictMath, so the values are identical on every JVM. */
  static void fillNormal(float[] out, int n, SplitMix64 rng, double mean, double std) {
    for (int i = 0; i < n; i += 2) {
      double u1 = 1.0 - rng.nextDouble(); // (0, 1]: log is finite
      double u2 = rng.nextDouble();
      double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
      out[i] = (float) (mean + std * r * StrictMath.cos(2 * Math.PI * u2));
      if (i + 1 < n) out[i + 1] = (float) (mean + std * r * StrictMath.sin(2 * Math.PI * u2));
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private interface Filler {
    void fill(float[] out, int[] shape, SplitMix64 rng);
  }

  private record Simple(String name, Filler filler) implements Initializer {
    @Override
    public void fill(float[] out, int[] shape, SplitMix64 rng) {
      filler.fill(out, shape, rng);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Simple s && s.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
