package dev.fusebox.ops.alu;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable expression over the inputs {@code x0, x1, ...} of an elementwise op, built from
 * {@link Alu} primitives. Structural equality; printed as {@code select(gt(x0, 0), x0, 0)}, which
 * {@link ExprParser} reads back.
 */
public final class Expr {
  private final Alu op;
  private final Expr[] args;
  private final double value; // CONST: the constant; INPUT: the input index
  private final int hash;

  private Expr(Alu op, double value, Expr... args) {
    this.op = op;
    this.value = value;
    this.args = args;
    this.hash = 31 * (31 * op.hashCode() + Double.hashCode(value)) + Arrays.hashCode(args);
  }

  /** Input {@code i} of the op. */
  public static Expr x(int i) {
    if (i < 0) throw new IllegalArgumentException("input index " + i);
    return new Expr(Alu.INPUT, i);
  }

  public static Expr c(double value) {
    if (Double.isNaN(value)) throw new IllegalArgumentException("NaN constant in an expression");
    return new Expr(Alu.CONST, value == 0 ? 0.0 : value); // one zero: -0.0 and 0.0 print and compare alike
  }

  public static Expr of(Alu op, Expr... args) {
    if (args.length != op.arity() || op == Alu.INPUT || op == Alu.CONST) {
      throw new IllegalArgumentException(op + " takes " + op.arity() + " arguments, got " + args.length);
    }
    for (Expr a : args) Objects.requireNonNull(a);
    return new Expr(op, 0, args.clone());
  }

  public static Expr select(Expr cond, Expr ifTrue, Expr ifFalse) {
    return of(Alu.SELECT, cond, ifTrue, ifFalse);
  }

  public Expr add(Expr o) { return of(Alu.ADD, this, o); }
  public Expr sub(Expr o) { return of(Alu.SUB, this, o); }
  public Expr mul(Expr o) { return of(Alu.MUL, this, o); }
  public Expr div(Expr o) { return of(Alu.DIV, this, o); }
  public Expr add(double o) { return add(c(o)); }
  public Expr sub(double o) { return sub(c(o)); }
  public Expr mul(double o) { return mul(c(o)); }
  public Expr div(double o) { return div(c(o)); }
  public Expr max(Expr o) { return of(Alu.MAX, this, o); }
  public Expr min(Expr o) { return of(Alu.MIN, this, o); }
  public Expr max(double o) { return max(c(o)); }
  public Expr min(double o) { return min(c(o)); }
  public Expr gt(Expr o) { return of(Alu.GT, this, o); }
  public Expr ge(Expr o) { return of(Alu.GE, this, o); }
  public Expr lt(Expr o) { return of(Alu.LT, this, o); }
  public Expr le(Expr o) { return of(Alu.LE, this, o); }
  public Expr gt(double o) { return gt(c(o)); }
  public Expr lt(double o) { return lt(c(o)); }
  public Expr neg() { return of(Alu.NEG, this); }
  public Expr exp() { return of(Alu.EXP, this); }
  public Expr expm1() { return of(Alu.EXPM1, this); }
  public Expr log() { return of(Alu.LOG, this); }
  public Expr log1p() { return of(Alu.LOG1P, this); }
  public Expr sqrt() { return of(Alu.SQRT, this); }
  public Expr abs() { return of(Alu.ABS, this); }
  public Expr sign() { return of(Alu.SIGN, this); }
  public Expr tanh() { return of(Alu.TANH, this); }
  public Expr erf() { return of(Alu.ERF, this); }
  public Expr square() { return mul(this); }

  /** 1 / (1 + e^(-x)): exact at both ends in floating point (e^(-x) overflows to ∞ and gives 0). */
  public Expr sigmoid() {
    return c(1).div(c(1).add(neg().exp()));
  }

  public Alu op() {
    return op;
  }

  public Expr arg(int i) {
    return args[i];
  }

  public int argCount() {
    return args.length;
  }

  public double constant() {
    if (op != Alu.CONST) throw new IllegalStateException(this + " is not a constant");
    return value;
  }

  public int index() {
    if (op != Alu.INPUT) throw new IllegalStateException(this + " is not an input");
    return (int) value;
  }

  public boolean isInput(int i) {
    return op == Alu.INPUT && value == i;
  }

  /** One more than the largest input index used (0 for a constant expression). */
  public int inputCount() {
    if (op == Alu.INPUT) return (int) value + 1;
    int n = 0;
    for (Expr a : args) n = Math.max(n, a.inputCount());
    return n;
  }

  /** Whether input {@code i} occurs. */
  public boolean uses(int i) {
    if (op == Alu.INPUT) return value == i;
    for (Expr a : args) if (a.uses(i)) return true;
    return false;
  }

  /** Evaluates in double precision with {@code in[i]} as input i. */
  public double eval(double[] in) {
    switch (op) {
      case INPUT: return in[(int) value];
      case CONST: return value;
      default:
        double a = args[0].eval(in);
        if (args.length == 1) return op.apply(a, 0, 0);
        if (op == Alu.SELECT) return a != 0 ? args[1].eval(in) : args[2].eval(in);
        return op.apply(a, args[1].eval(in), 0);
    }
  }

  /** Replaces each input {@code i} by {@code replacement[i]}. */
  public Expr substitute(Expr[] replacement) {
    if (op == Alu.INPUT) return replacement[(int) value];
    if (op == Alu.CONST) return this;
    Expr[] a = new Expr[args.length];
    boolean changed = false;
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].substitute(replacement);
      changed |= a[i] != args[i];
    }
    return changed ? new Expr(op, 0, a) : this;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    return o instanceof Expr e && e.hash == hash && e.op == op && Double.compare(e.value, value) == 0
        && Arrays.equals(e.args, args);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    switch (op) {
      case INPUT: return "x" + (int) value;
      case CONST: return formatConstant(value);
      default:
        StringBuilder b = new StringBuilder(op.symbol()).append('(');
        for (int i = 0; i < args.length; i++) b.append(i == 0 ? "" : ", ").append(args[i]);
        return b.append(')').toString();
    }
  }

  /** Shortest text that reads back to the same double. */
  static String formatConstant(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    return Double.toString(v);
  }
}
