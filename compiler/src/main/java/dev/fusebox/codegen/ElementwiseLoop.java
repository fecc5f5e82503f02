package dev.fusebox.codegen;

import dev.fusebox.ir.Node;
import dev.fusebox.ir.Shape;
import dev.fusebox.ops.Elementwise;
import dev.fusebox.ops.alu.Alu;
import dev.fusebox.ops.alu.Expr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One loop nest computing elementwise nodes over a region of a [rows, cols] iteration space: every
 * operand loaded once per element (scalars and per-row values hoisted), every node computed into a
 * local, and the nodes others need stored. The vector form runs along the columns, {@code LANES} at a
 * time, and finishes each row with scalar code: no masks, which JDK 17 does not always compile to
 * vector instructions (it then falls back to code that allocates). Elementwise kernels, and the
 * prologues and epilogues of matmul kernels, are all this loop.
 *
 * <p>Subexpressions of scalars alone (Adam's {@code lr / (1 − β₁ᵗ)}, {@code sqrt(1 − β₂ᵗ)}) are
 * computed once before the loop: C2 does not move vector divisions and square roots of broadcasts out
 * of loops itself (measured: Adam's update 1.45× faster with them moved).
 */
final class ElementwiseLoop {

  /** How an operand is indexed at element (r, c). */
  enum Mode {
    /** Its own [rows, cols] array: r·cols + c. */
    FULL,
    /** A row broadcast down the rows (a bias): c. */
    ROW,
    /** A column broadcast along the columns: r. */
    COLUMN,
    /** One value for all: 0. */
    SCALAR,
    /** Given explicitly (a matmul's tile): an index expression in r and c, contiguous in c. */
    CUSTOM
  }

  /** Where an operand that is not computed by this loop is read from. */
  record Operand(String array, Mode mode, String index) {
    static Operand of(String array, Shape shape, int rows, int cols) {
      if (shape.size() == 1 && rows * cols != 1) return new Operand(array, Mode.SCALAR, null);
      if (shape.size() == rows * cols) return new Operand(array, Mode.FULL, null);
      if (shape.cols() == cols && shape.rows() == 1) return new Operand(array, Mode.ROW, null);
      if (shape.cols() == 1 && shape.rows() == rows) return new Operand(array, Mode.COLUMN, null);
      throw new IllegalStateException("bug in code generation: " + shape + " does not broadcast to [" + rows + ", " + cols + "]");
    }

    static Operand custom(String array, String index) {
      return new Operand(array, Mode.CUSTOM, index);
    }
  }

  private final Backend backend;
  private final ExprRenderer exprs;
  private final ExprRenderer scalar = ScalarExprs.FLOAT;
  private final Storage storage;
  private final int rows;
  private final int cols;
  private final List<Node> members;
  private final Map<Node, Operand> operands = new LinkedHashMap<>();
  private final Map<Node, String> stores = new IdentityHashMap<>();
  private final Map<Node, List<String>> columnSums = new IdentityHashMap<>();

  /**
   * A loop over [rows, cols] computing {@code members} (elementwise nodes, in order). Operands not
   * given with {@link #operand} are read from storage, broadcast; members with an array in storage
   * are stored there.
   */
  ElementwiseLoop(Backend backend, Storage storage, int rows, int cols, List<Node> members) {
    this.backend = backend;
    this.exprs = backend == Backend.VECTOR ? new VectorExprs() : ScalarExprs.FLOAT;
    this.storage = storage;
    this.rows = rows;
    this.cols = cols;
    this.members = members;
    for (Node m : members) if (storage.hasArray(m)) stores.put(m, storage.array(m));
  }

  /** Reads {@code n} as given instead of from storage. */
  ElementwiseLoop operand(Node n, Operand o) {
    operands.put(n, o);
    return this;
  }

  /** Stores member {@code n} into {@code array} (indexed like the iteration space). */
  ElementwiseLoop store(Node n, String array) {
    stores.put(n, array);
    return this;
  }

  /** Also adds member {@code n} into {@code sums[c]}: its column sums, in the same pass. */
  ElementwiseLoop sumColumns(Node n, String sums) {
    columnSums.computeIfAbsent(n, x -> new ArrayList<>()).add(sums);
    return this;
  }

  /** The loop over the whole iteration space. Without row or column broadcasts it is one flat loop. */
  void emitAll(KernelWriter w) {
    boolean flat = columnSums.isEmpty() && operandsFor().values().stream().allMatch(o -> o.mode == Mode.FULL || o.mode == Mode.SCALAR);
    if (flat) emit(w, "0", "1", "0", Integer.toString(rows * cols), true);
    else emit(w, "0", Integer.toString(rows), "0", Integer.toString(cols), false);
  }

  /** The loop over rows [r0, r1) and columns [c0, c1) (Java expressions). */
  void emit(KernelWriter w, String r0, String r1, String c0, String c1) {
    emit(w, r0, r1, c0, c1, false);
  }

  private Map<Node, Operand> operandsFor() {
    Map<Node, Operand> all = new LinkedHashMap<>(operands);
    for (Node m : members) {
      for (Node in : m.inputs()) {
        if (members.contains(in) || all.containsKey(in)) continue;
        all.put(in, Operand.of(storage.array(in), in.shape(), rows, cols));
      }
    }
    return all;
  }

  private void emit(KernelWriter w, String r0, String r1, String c0, String c1, boolean flat) {
    Map<Node, Operand> all = operandsFor();
    if (rows * cols == 1) {
      // One element, computed once per step: in double, like the interpreter, rounded when stored.
      w.begin("for (int r = $L; r < $L; r++)", r0, r1);
      w.begin("for (int c = $L; c < $L; c++)", c0, c1);
      body(w, all, new IdentityHashMap<>(), flat, ScalarExprs.DOUBLE, new IdentityHashMap<>());
      w.end();
      w.end();
      return;
    }
    Map<Node, String> scalars = new IdentityHashMap<>();
    Map<Node, String> vectors = new IdentityHashMap<>();
    for (Map.Entry<Node, Operand> e : all.entrySet()) {
      if (e.getValue().mode == Mode.SCALAR) scalars.put(e.getKey(), once(w, valueName(e.getKey()), e.getValue().array + "[0]", false)[0]);
    }
    Map<Node, Invariants> invariants = new IdentityHashMap<>();
    for (Node m : members) invariants.put(m, Invariants.hoist(m, scalars, w, backend == Backend.VECTOR));
    if (backend == Backend.VECTOR) { // broadcast the scalars vector code still reads once the invariants are out
      for (Node m : members) {
        for (int i = 0; i < m.inputs().size(); i++) {
          Node in = m.input(i);
          if (scalars.containsKey(in) && !vectors.containsKey(in) && invariants.get(m).expr.uses(i)) {
            String v = w.local(scalars.get(in) + "_v");
            w.statement("$T $L = FloatVector.broadcast(S, $L)", VectorExprs.FLOAT_VECTOR, v, scalars.get(in));
            vectors.put(in, v);
          }
        }
      }
    }
    w.begin("for (int r = $L; r < $L; r++)", r0, r1);
    for (Map.Entry<Node, Operand> e : all.entrySet()) {
      if (e.getValue().mode == Mode.COLUMN) hoist(w, e.getKey(), e.getValue().array + "[r]", scalars, vectors);
    }
    if (backend == Backend.VECTOR) {
      w.statement("int c = $L", c0);
      w.begin("for (; c + LANES <= $L; c += LANES)", c1);
      body(w, all, vectors, flat, exprs, invariants);
      w.end();
      w.begin("for (; c < $L; c++)", c1);
      body(w, all, scalars, flat, scalar, invariants);
      w.end();
    } else {
      w.begin("for (int c = $L; c < $L; c++)", c0, c1);
      body(w, all, scalars, flat, scalar, invariants);
      w.end();
    }
    w.end();
  }

  /** Loads a value once for the loop (or row): as a float, and broadcast to a vector for vector code. */
  private void hoist(KernelWriter w, Node n, String load, Map<Node, String> scalars, Map<Node, String> vectors) {
    String[] sv = once(w, valueName(n), load, backend == Backend.VECTOR);
    scalars.put(n, sv[0]);
    if (sv[1] != null) vectors.put(n, sv[1]);
  }

  /** Declares {@code float name = value} and, for vector code, {@code name_v}, its broadcast; returns both names (the second or null). */
  private static String[] once(KernelWriter w, String name, Object value, boolean vector) {
    String s = w.local(name);
    w.statement("float $L = $L", s, value);
    if (!vector) return new String[] {s, null};
    String v = w.local(s + "_v");
    w.statement("$T $L = FloatVector.broadcast(S, $L)", VectorExprs.FLOAT_VECTOR, v, s);
    return new String[] {s, v};
  }

  /**
   * A local holding {@code n}'s value is named after the node, so that a reader knows what it holds; a
   * value loaded from a field of the node's own name (a parameter, an input) is its {@code _value}.
   */
  private String valueName(Node n) {
    String name = Storage.javaName(n.name());
    return storage.isField(name) ? name + "_value" : name;
  }

  private String index(Operand o, boolean flat) {
    switch (o.mode) {
      case FULL: return flat ? "c" : "r * " + cols + " + c";
      case ROW: return "c";
      case CUSTOM: return o.index;
      default: throw new IllegalStateException(o.mode + " operands are hoisted");
    }
  }

  /** One element (scalar renderer) or one vector of elements: load, compute, store. */
  private void body(KernelWriter w, Map<Node, Operand> all, Map<Node, String> hoisted, boolean flat, ExprRenderer exprs,
      Map<Node, Invariants> invariants) {
    boolean vector = exprs instanceof VectorExprs;
    String narrow = exprs == ScalarExprs.DOUBLE ? "(float) " : "";
    Map<Node, String> values = new IdentityHashMap<>(hoisted);
    for (Map.Entry<Node, Operand> e : all.entrySet()) {
      // Scalar operands were loaded before the loop; one that vector code reads only through invariants has no broadcast.
      if (values.containsKey(e.getKey()) || e.getValue().mode == Mode.SCALAR) continue;
      String name = w.local(valueName(e.getKey()));
      values.put(e.getKey(), name);
      String idx = index(e.getValue(), flat);
      if (vector) {
        w.statement("$T $L = FloatVector.fromArray(S, $L, $L)", VectorExprs.FLOAT_VECTOR, name, e.getValue().array, idx);
      } else {
        w.statement("$T $L = $L[$L]", exprs.valueType(), name, e.getValue().array, idx);
      }
    }
    List<Node> computed = new ArrayList<>();
    for (Node m : members) {
      Invariants inv = invariants.get(m);
      Expr expr = inv != null ? inv.expr : ((Elementwise) m.op()).expr();
      List<String> args = new ArrayList<>();
      for (Node in : m.inputs()) args.add(values.get(in));
      if (inv != null) args.addAll(vector ? inv.vectors : inv.scalars);
      com.palantir.javapoet.CodeBlock code = exprs.render(expr, args.toArray(String[]::new), w);
      String name = w.local(valueName(m));
      w.statement("$T $L = $L", exprs.valueType(), name, code);
      values.put(m, name);
      computed.add(m);
    }
    // Stores last: every operand of this element was loaded before anything is written (in place).
    String store = flat ? "c" : "r * " + cols + " + c";
    for (Node m : computed) {
      String array = stores.get(m);
      if (array != null) {
        if (vector) w.statement("$L.intoArray($L, $L)", values.get(m), array, store);
        else w.statement("$L[$L] = $L$L", array, store, narrow, values.get(m));
      }
      for (String sums : columnSums.getOrDefault(m, List.of())) {
        if (vector) w.statement("FloatVector.fromArray(S, $L, c).add($L).intoArray($L, c)", sums, values.get(m), sums);
        else w.statement("$L[c] += $L$L", sums, narrow, values.get(m));
      }
    }
  }

  /**
   * A member's expression with its subexpressions of hoisted scalars alone replaced by new inputs
   * (numbered after the member's own), and those inputs' values: computed once, in double and rounded
   * to float, and broadcast for vector code.
   */
  private record Invariants(Expr expr, List<String> scalars, List<String> vectors) {
    static Invariants hoist(Node m, Map<Node, String> hoisted, KernelWriter w, boolean vector) {
      String[] args = new String[m.inputs().size()];
      for (int i = 0; i < args.length; i++) args[i] = hoisted.get(m.input(i));
      List<String> scalars = new ArrayList<>(), vectors = new ArrayList<>();
      Expr expr = replace(((Elementwise) m.op()).expr(), args, w, vector, new HashMap<>(), scalars, vectors);
      return new Invariants(expr, scalars, vectors);
    }

    private static Expr replace(Expr e, String[] args, KernelWriter w, boolean vector, Map<Expr, Expr> done,
        List<String> scalars, List<String> vectors) {
      if (e.op() == Alu.INPUT || e.op() == Alu.CONST) return e;
      Expr known = done.get(e);
      if (known != null) return known;
      Expr out;
      if (invariant(e, args)) {
        String[] sv = once(w, "invariant", "(float) " + ScalarExprs.DOUBLE.render(e, args, w), vector);
        out = Expr.x(args.length + scalars.size());
        scalars.add(sv[0]);
        vectors.add(sv[1]);
      } else {
        Expr[] a = new Expr[e.argCount()];
        for (int i = 0; i < a.length; i++) a[i] = replace(e.arg(i), args, w, vector, done, scalars, vectors);
        out = Expr.of(e.op(), a);
      }
      done.put(e, out);
      return out;
    }

    /** Whether {@code e} reads hoisted scalars and constants only. */
    private static boolean invariant(Expr e, String[] args) {
      if (e.op() == Alu.INPUT) return args[e.index()] != null;
      if (e.op() == Alu.CONST) return true;
      for (int i = 0; i < e.argCount(); i++) if (!invariant(e.arg(i), args)) return false;
      return true;
    }
  }
}
