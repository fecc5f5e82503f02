package dev.fusebox.ops;

import static dev.fusebox.ops.alu.Expr.c;
import static dev.fusebox.ops.alu.Expr.x;

import dev.fusebox.ops.alu.Expr;

/**
 * Arithmetic as elementwise ops. Binary ops broadcast (a bias {@code [n]} against {@code [batch, n]}).
 * Gradient conventions at non-differentiable points: |x|'(0) = 0.
 */
public final class Arithmetic {
  private Arithmetic() {}

  // In gradient rules of a binary op: x0, x1 inputs, x2 = y, x3 = dy. Of a unary op: x0, x1 = y, x2 = dy.
  private static final Expr A = x(0), B = x(1);

  public static Elementwise add() {
    return Elementwise.of("add", "", A.add(B), x(3), x(3));
  }

  public static Elementwise sub() {
    return Elementwise.of("sub", "", A.sub(B), x(3), x(3).neg());
  }

  public static Elementwise mul() {
    return Elementwise.of("mul", "", A.mul(B), x(3).mul(B), x(3).mul(A));
  }

  public static Elementwise div() {
    return Elementwise.of("div", "", A.div(B), x(3).div(B), x(3).mul(x(2)).div(B).neg());
  }

  public static Elementwise neg() {
    return Elementwise.of("neg", "", A.neg(), x(2).neg());
  }

  public static Elementwise exp() {
    return Elementwise.of("exp", "", A.exp(), x(2).mul(x(1)));
  }

  public static Elementwise log() {
    return Elementwise.of("log", "", A.log(), x(2).div(A));
  }

  public static Elementwise sqrt() {
    return Elementwise.of("sqrt", "", A.sqrt(), x(2).mul(0.5).div(x(1)));
  }

  public static Elementwise square() {
    return Elementwise.of("square", "", A.square(), x(2).mul(A).mul(2));
  }

  /** |x|, with gradient sign(x)·dy, so 0 at 0. */
  public static Elementwise abs() {
    return Elementwise.of("abs", "", A.abs(), x(2).mul(A.sign()));
  }

  /** {@code a·x + b} with constants a and b. */
  public static Elementwise affine(double scale, double shift) {
    return Elementwise.of("scale", "a=" + fmt(scale) + (shift == 0 ? "" : ",b=" + fmt(shift)),
        A.mul(c(scale)).add(c(shift)), x(2).mul(c(scale)));
  }

  static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
