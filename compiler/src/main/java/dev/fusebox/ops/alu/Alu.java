package dev.fusebox.ops.alu;

import dev.fusebox.runtime.FMath;
import java.util.Locale;

/**
 * The primitive scalar operations elementwise bodies are made of. Comparisons yield 1 or 0;
 * {@code SELECT(c, a, b)} is {@code c != 0 ? a : b}. Each renderer (interpreter, scalar Java, Vector
 * API) has exactly one row per primitive.
 */
public enum Alu {
  INPUT(0), CONST(0),
  ADD(2), SUB(2), MUL(2), DIV(2), MAX(2), MIN(2),
  GT(2), GE(2), LT(2), LE(2),
  SELECT(3),
  NEG(1), EXP(1), EXPM1(1), LOG(1), LOG1P(1), SQRT(1), ABS(1), SIGN(1), TANH(1), ERF(1);

  private final int arity;

  Alu(int arity) {
    this.arity = arity;
  }

  public int arity() {
    return arity;
  }

  /** Lower-case name as printed in expressions. */
  public String symbol() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isComparison() {
    return this == GT || this == GE || this == LT || this == LE;
  }

  /** Reference semantics in double precision. */
  double apply(double a, double b, double c) {
    switch (this) {
      case ADD: return a + b;
      case SUB: return a - b;
      case MUL: return a * b;
      case DIV: return a / b;
      case MAX: return Math.max(a, b);
      case MIN: return Math.min(a, b);
      case GT: return a > b ? 1 : 0;
      case GE: return a >= b ? 1 : 0;
      case LT: return a < b ? 1 : 0;
      case LE: return a <= b ? 1 : 0;
      case SELECT: return a != 0 ? b : c;
      case NEG: return -a;
      case EXP: return Math.exp(a);
      case EXPM1: return Math.expm1(a);
      case LOG: return Math.log(a);
      case LOG1P: return Math.log1p(a);
      case SQRT: return Math.sqrt(a);
      case ABS: return Math.abs(a);
      case SIGN: return Math.signum(a);
      case TANH: return Math.tanh(a);
      case ERF: return FMath.erf(a);
      default: throw new IllegalStateException(this + " has no scalar semantics");
    }
  }
}
