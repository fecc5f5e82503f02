package dev.fusebox.ops.alu;

/**
 * Local algebraic simplification of an expression, bottom-up: folds constant subexpressions and
 * applies identities that hold for every float including NaN and ±∞: x·1, 1·x, x+0, 0+x, x−0, x/1,
 * −(−x), select(c, a, a) and selects on a constant condition. It does not rewrite x·0 or x−x (wrong
 * for ∞ and NaN).
 */
public final class Simplify {
  private Simplify() {}

  public static Expr simplify(Expr e) {
    if (e.op() == Alu.INPUT || e.op() == Alu.CONST) return e;
    Expr[] a = new Expr[e.argCount()];
    boolean allConst = true;
    for (int i = 0; i < a.length; i++) {
      a[i] = simplify(e.arg(i));
      allConst &= a[i].op() == Alu.CONST;
    }
    if (allConst) {
      double v = Expr.of(e.op(), a).eval(new double[0]);
      if (!Double.isNaN(v)) return Expr.c(v);
    }
    switch (e.op()) {
      case MUL:
        if (isConst(a[1], 1)) return a[0];
        if (isConst(a[0], 1)) return a[1];
        break;
      case ADD:
        if (isConst(a[1], 0)) return a[0];
        if (isConst(a[0], 0)) return a[1];
        break;
      case SUB:
        if (isConst(a[1], 0)) return a[0];
        break;
      case DIV:
        if (isConst(a[1], 1)) return a[0];
        break;
      case NEG:
        if (a[0].op() == Alu.NEG) return a[0].arg(0);
        break;
      case SELECT:
        if (a[1].equals(a[2])) return a[1];
        if (a[0].op() == Alu.CONST) return a[0].constant() != 0 ? a[1] : a[2];
        break;
      default:
        break;
    }
    return Expr.of(e.op(), a).equals(e) ? e : Expr.of(e.op(), a);
  }

  private static boolean isConst(Expr e, double v) {
    return e.op() == Alu.CONST && e.constant() == v;
  }
}
