package dev.fusebox.codegen;

import dev.fusebox.ir.Node;
import dev.fusebox.ops.MatMul;

/**
 * Writes {@code C = op(A)·op(B)} for a matmul node, one output tile at a time: each finished tile goes
 * to a small scratch array (it stays in L1) and an epilogue method is called on it with the tile's
 * rows [i0, i1) and columns [j0, j1); the epilogue stores C or computes the fused ops from it.
 *
 * <p>Vector backend: a register-blocked micro-kernel of 4 rows × 4 vectors (16 accumulators) over the
 * whole of K, each step broadcasting one element of A per row and fusing it into four vectors of a
 * row of B; then 4 × 1 vector tiles, a last 4 × 1 tile for the columns left over (it reads whole
 * vectors, arrays are padded for that, and its epilogue ignores the extra lanes), and the same with
 * one row for the last rows. Each tile shape is a method of its own: small methods compile quickly at
 * every JIT tier (one large method can make C1 give up and leave vector code uncompiled, which then
 * allocates), and the accumulators never cross a call. Scalar backend: one row at a time, i-k-j, the
 * row of C as the tile. A transposed B is first copied into row-major order so that the inner loop
 * reads B contiguously.
 */
final class MatmulEmitter {
  static final int ROWS = 4;
  static final int VECTORS = 4;
  /** The fewest float lanes a preferred species has (64-bit vectors): paths that cannot run with it are left out. */
  static final int MIN_LANES = 2;

  private final Backend backend;
  private final Storage storage;
  private final Node matmul;
  private final String a;
  private final String b;
  private final int m, n, k;
  private final boolean transA, transB;

  MatmulEmitter(Backend backend, Storage storage, Node matmul, String a, String b) {
    this.backend = backend;
    this.storage = storage;
    this.matmul = matmul;
    this.a = a;
    this.b = b;
    MatMul op = (MatMul) matmul.op();
    this.transA = op.transA();
    this.transB = op.transB();
    this.m = matmul.shape().dim(0);
    this.n = matmul.shape().dim(1);
    this.k = transA ? matmul.input(0).shape().dim(0) : matmul.input(0).shape().dim(1);
  }

  /** Rows of C per parallel chunk: chunks are fixed, so results do not depend on the thread count. */
  static final int CHUNK_ROWS = 16;
  /** Matmuls below this many flops run on one thread: handing them out would cost more than it saves. */
  static final long PARALLEL_FLOPS = 1L << 20;

  /** Floats of tile scratch per thread. */
  String tileSize() {
    return backend == Backend.VECTOR ? ROWS + " * " + VECTORS + " * LANES" : Integer.toString(n);
  }

  /** Whether this matmul is worth splitting into row chunks on several threads. */
  boolean parallel() {
    return 2L * m * n * k >= PARALLEL_FLOPS && m > CHUNK_ROWS;
  }

  int chunks() {
    return (m + CHUNK_ROWS - 1) / CHUNK_ROWS;
  }

  /** Row stride of the tile scratch. */
  String tileStride() {
    return backend == Backend.VECTOR ? VECTORS + " * LANES" : Integer.toString(n);
  }

  private final java.util.List<com.palantir.javapoet.MethodSpec> tileMethods = new java.util.ArrayList<>();
  private String prefix;

  /** The tile methods {@link #emit} wrote (vector backend), to add to the class. */
  java.util.List<com.palantir.javapoet.MethodSpec> tileMethods() {
    return tileMethods;
  }

  /**
   * Emits into {@code w} the copy of a transposed B (once, before any rows); the rows themselves go
   * in {@code rows}, a method {@code (int from, int to, int tileBase)} computing rows [from, to) of C
   * with the tile scratch at {@code tileBase}. {@code epilogue} is called as
   * {@code epilogue(i0, i1, j0, j1, tileBase)}; tile methods are named after {@code prefix}.
   */
  void emit(KernelWriter w, KernelWriter rows, String tile, String epilogue, String prefix) {
    this.prefix = prefix;
    String bRows = b;
    if (transB) {
      bRows = storage.scratch(matmul.name() + "_bt", k * n);
      w.comment("B is transposed: copy it row-major once, so the inner loop reads it contiguously");
      w.begin("for (int kk = 0; kk < $L; kk++)", k);
      w.begin("for (int jj = 0; jj < $L; jj++)", n);
      w.statement("$L[kk * $L + jj] = $L[jj * $L + kk]", bRows, n, b, k);
      w.end();
      w.end();
    }
    if (backend == Backend.SCALAR) {
      scalar(rows, bRows, tile, epilogue);
    } else {
      vector(rows, bRows, tile, epilogue);
    }
  }

  private String aAt(String row, String col) {
    return transA ? a + "[" + col + " * " + m + " + " + row + "]" : a + "[(" + row + ") * " + k + " + " + col + "]";
  }

  private void scalar(KernelWriter w, String bRows, String tile, String epilogue) {
    w.begin("for (int i = from; i < to; i++)");
    w.statement("java.util.Arrays.fill($L, tileBase, tileBase + $L, 0f)", tile, n);
    w.begin("for (int kk = 0; kk < $L; kk++)", k);
    w.statement("float a = $L", aAt("i", "kk"));
    w.statement("int base = kk * $L", n);
    w.begin("for (int j = 0; j < $L; j++)", n);
    w.statement("$L[tileBase + j] += a * $L[base + j]", tile, bRows);
    w.end();
    w.end();
    w.statement("$L(i, i + 1, 0, $L, tileBase)", epilogue, n);
    w.end();
  }

  /** Rows [from, to) in blocks of four, then one at a time; block shapes that cannot occur are not written. */
  private void vector(KernelWriter w, String bRows, String tile, String epilogue) {
    w.statement("int i = from");
    if (m >= ROWS) {
      w.begin("for (; i + $L <= to; i += $L)", ROWS, ROWS);
      columns(w, bRows, tile, epilogue, ROWS);
      w.end();
    }
    w.begin("for (; i < to; i++)");
    columns(w, bRows, tile, epilogue, 1);
    w.end();
  }

  private void columns(KernelWriter w, String bRows, String tile, String epilogue, int rows) {
    w.statement("int j = 0");
    if (n >= VECTORS * MIN_LANES) {
      w.begin("for (; j + $L * LANES <= $L; j += $L * LANES)", VECTORS, n, VECTORS);
      tile(w, bRows, tile, epilogue, rows, VECTORS, false);
      w.end();
    }
    if (n >= MIN_LANES) {
      w.begin("for (; j + LANES <= $L; j += LANES)", n);
      tile(w, bRows, tile, epilogue, rows, 1, false);
      w.end();
    }
    w.begin("if (j < $L)", n);
    tile(w, bRows, tile, epilogue, rows, 1, true);
    w.end();
  }

  /** Calls (and on first use writes) the method for one tile shape. */
  private void tile(KernelWriter caller, String bRows, String tile, String epilogue, int rows, int vectors, boolean last) {
    String name = prefix + "_tile" + rows + "x" + vectors + (last ? "_last" : "");
    caller.statement("$L(i, j, tileBase)", name);
    if (tileMethods.stream().anyMatch(m -> m.name().equals(name))) return;
    KernelWriter w = new KernelWriter(storage);
    tileBody(w, bRows, tile, epilogue, rows, vectors, last);
    tileMethods.add(com.palantir.javapoet.MethodSpec.methodBuilder(name).addModifiers(javax.lang.model.element.Modifier.PRIVATE)
        .addParameter(int.class, "i").addParameter(int.class, "j").addParameter(int.class, "tileBase")
        .addJavadoc("$L rows × $L$L of $L from row i, column j\n", rows, vectors == 1 ? "1 vector" : vectors + " vectors",
            last ? " (the last columns: lanes past them are computed and not used)" : "", matmul.name())
        .addCode(w.build()).build());
  }

  private void tileBody(KernelWriter w, String bRows, String tile, String epilogue, int rows, int vectors, boolean last) {
    for (int r = 0; r < rows; r++) {
      for (int v = 0; v < vectors; v++) w.statement("$T c$L$L = FloatVector.zero(S)", VectorExprs.FLOAT_VECTOR, r, v);
    }
    w.begin("for (int kk = 0; kk < $L; kk++)", k);
    w.statement("int base = kk * $L + j", n);
    for (int v = 0; v < vectors; v++) {
      w.statement("$T b$L = FloatVector.fromArray(S, $L, base$L)", VectorExprs.FLOAT_VECTOR, v, bRows,
          v == 0 ? "" : " + " + v + " * LANES");
    }
    for (int r = 0; r < rows; r++) {
      w.statement("$T a$L = FloatVector.broadcast(S, $L)", VectorExprs.FLOAT_VECTOR, r, aAt("i + " + r, "kk"));
      for (int v = 0; v < vectors; v++) w.statement("c$L$L = a$L.fma(b$L, c$L$L)", r, v, r, v, r, v);
    }
    w.end();
    for (int r = 0; r < rows; r++) {
      for (int v = 0; v < vectors; v++) {
        w.statement("c$L$L.intoArray($L, tileBase + $L)", r, v, tile, offset(r, v));
      }
    }
    String width = last ? n + " - j" : vectors == 1 ? "LANES" : vectors + " * LANES";
    w.statement("$L(i, i + $L, j, j + $L, tileBase)", epilogue, rows, width);
  }

  private static String offset(int r, int v) {
    String row = r == 0 ? "" : r + " * " + VECTORS + " * LANES";
    String col = v == 0 ? "" : v + " * LANES";
    if (row.isEmpty() && col.isEmpty()) return "0";
    return row.isEmpty() ? col : col.isEmpty() ? row : row + " + " + col;
  }
}
