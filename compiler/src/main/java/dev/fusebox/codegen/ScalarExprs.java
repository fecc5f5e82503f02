package dev.fusebox.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.fusebox.ops.alu.Alu;
import dev.fusebox.ops.alu.Expr;
import dev.fusebox.runtime.FMath;

/** Plain Java in float arithmetic; transcendentals through {@link Math} in double, rounded once. */
final class ScalarExprs extends ExprRenderer {

  @Override
  Object valueType() {
    return TypeName.FLOAT;
  }

  @Override
  Object conditionType() {
    return TypeName.BOOLEAN;
  }

  @Override
  CodeBlock constant(double v) {
    return CodeBlock.of("$L", literal(v));
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
      case SQRT: return CodeBlock.of("(float) Math.sqrt($L)", a[0]);
      case EXP: return CodeBlock.of("(float) Math.exp($L)", a[0]);
      case EXPM1: return CodeBlock.of("(float) Math.expm1($L)", a[0]);
      case LOG: return CodeBlock.of("(float) Math.log($L)", a[0]);
      case LOG1P: return CodeBlock.of("(float) Math.log1p($L)", a[0]);
      case TANH: return CodeBlock.of("(float) Math.tanh($L)", a[0]);
      case ERF: return CodeBlock.of("(float) $T.erf($L)", FMath.class, a[0]);
      default: throw new IllegalStateException("no scalar code for " + op);
    }
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
