package dev.fusebox.ops;

import static dev.fusebox.ops.alu.Expr.c;
import static dev.fusebox.ops.alu.Expr.select;
import static dev.fusebox.ops.alu.Expr.x;

import dev.fusebox.ops.alu.Expr;

/**
 * The activation functions, each with its value and gradient in one place. In a unary op's gradient
 * rule x0 is the input, x1 the output y and x2 the upstream gradient dy; in a binary one (PReLU,
 * learned swish) x0, x1 are the inputs, x2 = y and x3 = dy.
 *
 * <p>Conventions at kinks (chosen to match PyTorch): ReLU'(0) = 0; leaky ReLU'(0) = γ; ELU'(0) = γ;
 * hard-tanh' and hard-sigmoid' are 0 at their corners (only strictly inside the linear piece is the
 * slope used).
 *
 * <p>Where it is exact, a gradient is written in terms of the output y rather than the input: then
 * the backward pass does not need the pre-activation, and a dense layer's activation can be fused
 * into its matmul even when training. GELU, swish, PReLU and maxout need their input.
 */
public final class Activations {
  private Activations() {}

  private static final Expr X = x(0), Y = x(1), DY = x(2);

  /** Logistic sigmoid σ(x) = 1/(1+e^(−x)); σ' = y(1−y). */
  public static Elementwise sigmoid() {
    return Elementwise.of("sigmoid", "", X.sigmoid(), DY.mul(Y).mul(c(1).sub(Y)));
  }

  /** tanh; tanh' = 1 − y². */
  public static Elementwise tanh() {
    return Elementwise.of("tanh", "", X.tanh(), DY.mul(c(1).sub(Y.square())));
  }

  /**
   * Hard logistic {@code max(min(slope·x + 0.5, 1), 0)}. The textbook (and this default) uses slope
   * 0.25, the piecewise-linear fit to σ at 0; Keras used 0.2 and PyTorch's {@code hardsigmoid} uses 1/6.
   */
  public static Elementwise hardSigmoid(double slope) {
    Expr u = X.mul(slope).add(0.5);
    // 0 < y < 1 exactly where 0 < slope·x + 0.5 < 1.
    return Elementwise.of("hard_sigmoid", "slope=" + Arithmetic.fmt(slope), u.min(1).max(0),
        select(Y.gt(0), select(Y.lt(1), DY.mul(slope), c(0)), c(0)));
  }

  /** Hard tanh {@code max(min(x, 1), −1)}. */
  public static Elementwise hardTanh() {
    return Elementwise.of("hard_tanh", "", X.min(1).max(-1), select(Y.gt(-1), select(Y.lt(1), DY, c(0)), c(0)));
  }

  /** max(x, 0) written as a select so that ReLU'(0) = 0; y &gt; 0 exactly where x &gt; 0. */
  public static Elementwise relu() {
    return Elementwise.of("relu", "", select(X.gt(0), X, c(0)), select(Y.gt(0), DY, c(0)));
  }

  /** x for x &gt; 0, γx otherwise. For γ &gt; 0 the output's sign is the input's. */
  public static Elementwise leakyRelu(double gamma) {
    Expr positive = gamma > 0 ? Y.gt(0) : X.gt(0);
    return Elementwise.of("leaky_relu", "gamma=" + Arithmetic.fmt(gamma), select(X.gt(0), X, X.mul(gamma)),
        select(positive, DY, DY.mul(gamma)));
  }

  /** x for x &gt; 0, γ(eˣ − 1) otherwise; for γ &gt; 0, y &gt; 0 exactly where x &gt; 0 and γeˣ = y + γ. */
  public static Elementwise elu(double gamma) {
    Expr grad = gamma > 0 ? select(Y.gt(0), DY, DY.mul(Y.add(gamma))) : select(X.gt(0), DY, DY.mul(X.exp()).mul(gamma));
    return Elementwise.of("elu", "gamma=" + Arithmetic.fmt(gamma), select(X.gt(0), X, X.expm1().mul(gamma)), grad);
  }

  /**
   * log(1 + eˣ) computed as max(x, 0) + log1p(e^(−|x|)), finite for every x; softplus' = σ(x), which is
   * 1 − e^(−y) = −expm1(−y), accurate even where σ(x) is tiny.
   */
  public static Elementwise softplus() {
    return Elementwise.of("softplus", "", X.max(0).add(X.abs().neg().exp().log1p()), DY.mul(Y.neg().expm1().neg()));
  }

  /** Swish x·σ(βx) with a fixed β (β = 1 is SiLU). */
  public static Elementwise swish(double beta) {
    Expr s = X.mul(beta).sigmoid();
    return Elementwise.of("swish", "beta=" + Arithmetic.fmt(beta), X.mul(s),
        DY.mul(s.add(X.mul(beta).mul(s).mul(c(1).sub(s)))));
  }

  /** Swish x·σ(βx) with β a learned input (x1), broadcast against x. */
  public static Elementwise swishLearned() {
    Expr b = x(1), dy = x(3);
    Expr s = X.mul(b).sigmoid();
    Expr ds = s.mul(c(1).sub(s));
    return Elementwise.of("swish", "learned", X.mul(s), dy.mul(s.add(X.mul(b).mul(ds))), dy.mul(X.square()).mul(ds));
  }

  /** GELU, exact: x·Φ(x) = ½x(1 + erf(x/√2)); GELU' = Φ(x) + x·φ(x). */
  public static Elementwise gelu() {
    Expr cdf = X.mul(1 / Math.sqrt(2)).erf().add(1).mul(0.5);
    Expr pdf = X.square().mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
    return Elementwise.of("gelu", "", X.mul(cdf), DY.mul(cdf.add(X.mul(pdf))));
  }

  /** GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
  public static Elementwise geluTanh() {
    double k = Math.sqrt(2 / Math.PI);
    Expr t = X.add(X.mul(X).mul(X).mul(0.044715)).mul(k).tanh();
    Expr du = X.square().mul(3 * 0.044715).add(1).mul(k);
    return Elementwise.of("gelu_tanh", "", X.mul(0.5).mul(t.add(1)),
        DY.mul(t.add(1).mul(0.5).add(X.mul(0.5).mul(c(1).sub(t.square())).mul(du))));
  }

  /** PReLU: x for x &gt; 0, αx otherwise, with α a learned input (x1): one per unit {@code [n]} or shared {@code []}. */
  public static Elementwise prelu() {
    Expr a = x(1), dy = x(3);
    return Elementwise.of("prelu", "", select(X.gt(0), X, X.mul(a)), select(X.gt(0), dy, dy.mul(a)),
        select(X.gt(0), c(0), dy.mul(X)));
  }
}
