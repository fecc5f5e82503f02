package dev.fusebox.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.fusebox.ops.alu.Alu;
import dev.fusebox.ops.alu.Expr;

/**
 * The Vector API: each value a {@code FloatVector} of the preferred species {@code S}. Raw types only,
 * and every method returns a concrete {@code FloatVector} or {@code VectorMask}, so Janino compiles it.
 * A constant second operand uses the scalar overload ({@code x.mul(0.5f)}).
 */
final class VectorExprs extends ExprRenderer {
  static final ClassName FLOAT_VECTOR = ClassName.get("jdk.incubator.vector", "FloatVector");
  static final ClassName VECTOR_MASK = ClassName.get("jdk.incubator.vector", "VectorMask");
  static final ClassName VECTOR_SPECIES = ClassName.get("jdk.incubator.vector", "VectorSpecies");
  static final ClassName OPS = ClassName.get("jdk.incubator.vector", "VectorOperators");
  static final ClassName VECTOR_MATH = ClassName.get("dev.fusebox.runtime.simd", "VectorMath");

  @Override
  Object valueType() {
    return FLOAT_VECTOR;
  }

  @Override
  Object conditionType() {
    return VECTOR_MASK;
  }

  @Override
  CodeBlock constant(double v) {
    return CodeBlock.of("$T.broadcast(S, $L)", FLOAT_VECTOR, ScalarExprs.literal(v));
  }

  /** The second operand: a float literal if it is a constant (the scalar overloads), else the vector. */
  private static Object second(Expr[] args, CodeBlock[] a) {
    return args[1].op() == Alu.CONST ? ScalarExprs.literal(args[1].constant()) : a[1];
  }

  private static CodeBlock binary(String method, Expr[] args, CodeBlock[] a) {
    return CodeBlock.of("$L.$L($L)", a[0], method, second(args, a));
  }

  private static CodeBlock lanewise(CodeBlock a, String op) {
    return CodeBlock.of("$L.lanewise($T.$L)", a, OPS, op);
  }

  @Override
  CodeBlock apply(Alu op, Expr[] args, CodeBlock[] a) {
    switch (op) {
      case ADD: return binary("add", args, a);
      case SUB: return binary("sub", args, a);
      case MUL: return binary("mul", args, a);
      case DIV: return binary("div", args, a);
      case MAX: return binary("max", args, a);
      case MIN: return binary("min", args, a);
      case NEG: return CodeBlock.of("$L.neg()", a[0]);
      case ABS: return CodeBlock.of("$L.abs()", a[0]);
      case SQRT: return CodeBlock.of("$L.sqrt()", a[0]);
      case EXP: return lanewise(a[0], "EXP");
      case EXPM1: return lanewise(a[0], "EXPM1");
      case LOG: return lanewise(a[0], "LOG");
      case LOG1P: return lanewise(a[0], "LOG1P");
      case TANH: return lanewise(a[0], "TANH");
      case ERF: return CodeBlock.of("$T.erf($L)", VECTOR_MATH, a[0]);
      case SIGN: return CodeBlock.of("$T.sign($L)", VECTOR_MATH, a[0]);
      default: throw new IllegalStateException("no vector code for " + op);
    }
  }

  @Override
  CodeBlock condition(Alu cmp, Expr[] args, CodeBlock[] a) {
    return CodeBlock.of("$L.compare($T.$L, $L)", a[0], OPS, cmp.name(), second(args, a));
  }

  @Override
  CodeBlock select(CodeBlock cond, CodeBlock a, CodeBlock b) {
    return CodeBlock.of("$L.blend($L, $L)", b, a, cond);
  }
}
