package dev.fusebox.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.fusebox.ops.alu.Alu;
import dev.fusebox.ops.alu.Expr;
import dev.fusebox.runtime.FMath;

/**
 * Plain Java in float arithmetic, transcendentals through {@link Math} in double, rounded once; or, for
 * values computed once per step rather than per element ({@link #wide}), all in double: scalar nodes
 * (Adam's bias corrections 1 − βᵗ, a clipping coefficient) and the scalar parts of a loop's
 * expression hoisted before it. In float, 1 − 0.999ᵗ loses half its digits to cancellation; PyTorch
 * computes these in double, and so does the interpreter within each op.
 */
final class ScalarExprs extends ExprRenderer {
  private final boolean wide;

  private ScalarExprs(boolean wide) {
    this.wide = wide;
  }

  /** Float arithmetic, for values computed per element. */
  static final ScalarExprs FLOAT = new ScalarExprs(false);
  /** Double arithmetic, for values computed once per step; their users round them to float. */
  static final ScalarExprs DOUBLE = new ScalarExprs(true);

  boolean wide() {
    return wide;
  }

  @Override
  Object valueType() {
    return wide ? TypeName.DOUBLE : TypeName.FLOAT;
  }

  @Override
  Object conditionType() {
    return TypeName.BOOLEAN;
  }

  @Override
  CodeBlock constant(double v) {
    if (!wide) return CodeBlock.of("$L", literal(v));
    String s = v == Double.POSITIVE_INFINITY ? "Double.POSITIVE_INFINITY" : v == Double.NEGATIVE_INFINITY ? "Double.NEGATIVE_INFINITY"
        : Double.toString(v);
    return CodeBlock.of("$L", v < 0 ? "(" + s + ")" : s);
  }

  static String literal(double v) {
    float f = (float) v;
    if (f == Float.POSITIVE_INFINITY) return "Float.POSITIVE_INFINITY";
    if (f == Float.NEGATIVE_INFINITY) return "Float.NEGATIVE_INFINITY";
    String s = Float.toString(f) + "f";
    return f < 0 ? "(" + s + ")" : s;
  }

  @Override
  CodeBlock apply(Alu op, Expr[] args, CodeBlock[] a) {
    switch (op) {
      case ADD: return CodeBlock.of("($L + $L)", a[0], a[1]);
      case SUB: return CodeBlock.of("($L - $L)", a[0], a[1]);
      case MUL: return CodeBlock.of("($L * $L)", a[0], a[1]);
      case DIV: return CodeBlock.of("($L / $L)", a[0], a[1]);
      case MAX: return CodeBlock.of("Math.max($L, $L)", a[0], a[1]);
      case MIN: return CodeBlock.of("Math.min($L, $L)", a[0], a[1]);
      case NEG: return CodeBlock.of("(-$L)", a[0]);
      case ABS: return CodeBlock.of("Math.abs($L)", a[0]);
      case SIGN: return CodeBlock.of("Math.signum($L)", a[0]);
      case SQRT: return CodeBlock.of("$LMath.sqrt($L)", narrow(), a[0]);
      case EXP: return CodeBlock.of("$LMath.exp($L)", narrow(), a[0]);
      case EXPM1: return CodeBlock.of("$LMath.expm1($L)", narrow(), a[0]);
      case LOG: return CodeBlock.of("$LMath.log($L)", narrow(), a[0]);
      case LOG1P: return CodeBlock.of("$LMath.log1p($L)", narrow(), a[0]);
      case TANH: return CodeBlock.of("$LMath.tanh($L)", narrow(), a[0]);
      case ERF: return CodeBlock.of("$L$T.erf($L)", narrow(), FMath.class, a[0]);
      default: throw new IllegalStateException("no scalar code for " + op);
    }
  }

  /** The cast that rounds a double result from {@link Math} to this renderer's type. */
  private String narrow() {
    return wide ? "" : "(float) ";
  }

  @Override
  CodeBlock condition(Alu cmp, Expr[] args, CodeBlock[] a) {
    String o = cmp == Alu.GT ? ">" : cmp == Alu.GE ? ">=" : cmp == Alu.LT ? "<" : "<=";
    return CodeBlock.of("$L $L $L", a[0], o, a[1]);
  }

  @Override
  CodeBlock select(CodeBlock cond, CodeBlock a, CodeBlock b) {
    return CodeBlock.of("($L ? $L : $L)", cond, a, b);
  }
}
