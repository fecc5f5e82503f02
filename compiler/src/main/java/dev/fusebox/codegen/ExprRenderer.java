package dev.fusebox.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.fusebox.ops.alu.Alu;
import dev.fusebox.ops.alu.Expr;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes an elementwise expression as Java for one backend: each primitive has exactly one row in
 * each backend's table ({@link #apply}). A subexpression used more than once is computed once into a
 * local. Comparisons only ever appear as conditions or, in numeric position, as 1/0.
 */
abstract class ExprRenderer {

  /** The Java type of a value: {@code float} or {@code FloatVector}. */
  abstract Object valueType();

  /** The type of a condition: {@code boolean} or {@code VectorMask}. */
  abstract Object conditionType();

  abstract CodeBlock constant(double v);

  /** The code for {@code op} applied to {@code a}; {@code args} are the argument expressions (to spot constants). */
  abstract CodeBlock apply(Alu op, Expr[] args, CodeBlock[] a);

  /** A condition (comparison) as a boolean or mask expression. */
  abstract CodeBlock condition(Alu cmp, Expr[] args, CodeBlock[] a);

  /** {@code cond ? a : b} with a condition from {@link #condition}. */
  abstract CodeBlock select(CodeBlock cond, CodeBlock a, CodeBlock b);

  /** Renders {@code e} with {@code args[i]} standing for input i; may add locals to {@code w}. */
  final CodeBlock render(Expr e, String[] args, KernelWriter w) {
    Map<Expr, Integer> counts = new HashMap<>();
    count(e, counts);
    return emit(e, args, w, counts, new HashMap<>());
  }

  private static void count(Expr e, Map<Expr, Integer> counts) {
    if (counts.merge(e, 1, Integer::sum) > 1) return;
    for (int i = 0; i < e.argCount(); i++) count(e.arg(i), counts);
  }

  private CodeBlock emit(Expr e, String[] args, KernelWriter w, Map<Expr, Integer> counts, Map<Expr, CodeBlock> names) {
    if (e.op() == Alu.INPUT) return CodeBlock.of("$L", args[e.index()]);
    if (e.op() == Alu.CONST) return constant(e.constant());
    CodeBlock known = names.get(e);
    if (known != null) return known;
    CodeBlock code;
    if (e.op() == Alu.SELECT && e.arg(0).op().isComparison()) {
      Expr c = e.arg(0);
      CodeBlock cond = condition(c.op(), new Expr[] {c.arg(0), c.arg(1)}, both(c, args, w, counts, names));
      if (uses(counts, c) > 1) cond = hoist(w, conditionType(), cond, names, c);
      code = select(cond, emit(e.arg(1), args, w, counts, names), emit(e.arg(2), args, w, counts, names));
    } else if (e.op().isComparison()) {
      code = select(condition(e.op(), new Expr[] {e.arg(0), e.arg(1)}, both(e, args, w, counts, names)), constant(1), constant(0));
    } else if (e.op() == Alu.SELECT) {
      Expr test = e.arg(0).abs().gt(0);
      CodeBlock[] a = {emit(e.arg(0).abs(), args, w, counts, names), constant(0)};
      code = select(condition(Alu.GT, new Expr[] {test.arg(0), test.arg(1)}, a),
          emit(e.arg(1), args, w, counts, names), emit(e.arg(2), args, w, counts, names));
    } else {
      Expr[] sub = new Expr[e.argCount()];
      CodeBlock[] a = new CodeBlock[e.argCount()];
      for (int i = 0; i < a.length; i++) {
        sub[i] = e.arg(i);
        a[i] = emit(e.arg(i), args, w, counts, names);
      }
      code = apply(e.op(), sub, a);
    }
    return uses(counts, e) > 1 ? hoist(w, valueType(), code, names, e) : code;
  }

  /**
   * How often {@code e} occurs in the rendered expression; 1 for the expressions rendering itself
   * makes up (the test {@code |x| > 0} of a select whose condition is a value, such as a comparison
   * computed once before the loop).
   */
  private static int uses(Map<Expr, Integer> counts, Expr e) {
    return counts.getOrDefault(e, 1);
  }

  private CodeBlock[] both(Expr e, String[] args, KernelWriter w, Map<Expr, Integer> counts, Map<Expr, CodeBlock> names) {
    return new CodeBlock[] {emit(e.arg(0), args, w, counts, names), emit(e.arg(1), args, w, counts, names)};
  }

  private static CodeBlock hoist(KernelWriter w, Object type, CodeBlock code, Map<Expr, CodeBlock> names, Expr e) {
    String name = w.local("t");
    w.statement("$T $L = $L", type, name, code);
    CodeBlock ref = CodeBlock.of("$L", name);
    names.put(e, ref);
    return ref;
  }
}
