package dev.fusebox.codegen;

import com.palantir.javapoet.ClassName;
import dev.fusebox.ir.Node;
import dev.fusebox.ops.MatMul;

/**
 * Writes {@code C = op(A)·op(B)} for a matmul node, one output tile at a time: each finished tile goes
 * to a small scratch array (it stays in L1) and an epilogue method is called on it with the tile's
 * rows [i0, i1) and columns [j0, j1); the epilogue stores C or computes the fused ops from it.
 *
 * <p>Vector backend: the loops over tiles are generated with the shapes as constants; each tile is
 * accumulated by one of the runtime's register-blocked micro-kernels ({@code Gemm}: 4 rows × 4
 * vectors, then 4 × 1, 1 × 4 and 1 × 1), written once and shared by every program, so that generated
 * sources stay small (fast to compile) and the JIT compiles the hot loop once. The last columns use a
 * whole-vector tile too (arrays are padded; the epilogue ignores the extra lanes). Scalar backend: one
 * row at a time, i-k-j, the row of C as the tile. A transposed B is first copied into row-major order
 * so that tiles read B contiguously.
 */
final class MatmulEmitter {
  static final ClassName GEMM = ClassName.get("dev.fusebox.runtime.simd", "Gemm");
  static final int ROWS = 4;
  static final int VECTORS = 4;
  /** The fewest float lanes a preferred species has (64-bit vectors): paths that cannot run with it are left out. */
  static final int MIN_LANES = 2;
  /** Rows of C per parallel chunk: chunks are fixed, so results do not depend on the thread count. */
  static final int CHUNK_ROWS = 16;
  /** Side of the blocks a transposed B is copied in. */
  static final int TRANSPOSE_BLOCK = 16;
  /** Matmuls below this many flops run on one thread: handing them out would cost more than it saves. */
  static final long PARALLEL_FLOPS = 1L << 20;

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

  /** Floats of tile scratch per thread. */
  String tileSize() {
    return backend == Backend.VECTOR ? ROWS + " * " + VECTORS + " * LANES" : Integer.toString(n);
  }

  /** Row stride of the tile scratch. */
  String tileStride() {
    return backend == Backend.VECTOR ? VECTORS + " * LANES" : Integer.toString(n);
  }

  /** Whether this matmul is worth splitting into row chunks on several threads. */
  boolean parallel() {
    return 2L * m * n * k >= PARALLEL_FLOPS && m > CHUNK_ROWS;
  }

  int chunks() {
    return (m + CHUNK_ROWS - 1) / CHUNK_ROWS;
  }

  /**
   * Emits into {@code w} the copy of a transposed B (once, before any rows); the rows themselves go
   * in {@code rows}, the body of a method {@code (int from, int to, int tileBase)} computing rows
   * [from, to) of C with the tile scratch at {@code tileBase}. {@code epilogue} is called as
   * {@code epilogue(i0, i1, j0, j1, tileBase)}.
   */
  void emit(KernelWriter w, KernelWriter rows, String tile, String epilogue) {
    String bRows = b;
    if (transB) {
      bRows = storage.scratch(matmul.name() + "_bt", k * n);
      transposeB(w, bRows);
    }
    if (backend == Backend.SCALAR) {
      scalar(rows, bRows, tile, epilogue);
    } else {
      vector(rows, bRows, tile, epilogue);
    }
  }

  /** Copies B (stored n x k) row-major into {@code bRows} (k x n), once per call. */
  private void transposeB(KernelWriter w, String bRows) {
    if (n <= TRANSPOSE_BLOCK && k <= TRANSPOSE_BLOCK) {
      w.comment("B is transposed: copy it row-major once, so that tiles read it contiguously");
      w.begin("for (int kk = 0; kk < $L; kk++)", k);
      w.begin("for (int jj = 0; jj < $L; jj++)", n);
      w.statement("$L[kk * $L + jj] = $L[jj * $L + kk]", bRows, n, b, k);
      w.end();
      w.end();
      return;
    }
    w.comment("B is transposed: copy it row-major once, so that tiles read it contiguously; in blocks of $L x $L,",
        TRANSPOSE_BLOCK, TRANSPOSE_BLOCK);
    w.comment("so that reads and writes both stay within a few cache lines");
    w.begin("for (int jb = 0; jb < $L; jb += $L)", n, TRANSPOSE_BLOCK);
    w.begin("for (int kb = 0; kb < $L; kb += $L)", k, TRANSPOSE_BLOCK);
    w.statement("int je = Math.min(jb + $L, $L)", TRANSPOSE_BLOCK, n);
    w.statement("int ke = Math.min(kb + $L, $L)", TRANSPOSE_BLOCK, k);
    w.begin("for (int jj = jb; jj < je; jj++)");
    w.begin("for (int kk = kb; kk < ke; kk++)");
    w.statement("$L[kk * $L + jj] = $L[jj * $L + kk]", bRows, n, b, k);
    w.end();
    w.end();
    w.end();
    w.end();
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

  /** Rows [from, to) in blocks of four, then one at a time; shapes that cannot occur are not written. */
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
      tile(w, bRows, tile, epilogue, rows, VECTORS, VECTORS + " * LANES");
      w.end();
    }
    if (n >= MIN_LANES) {
      w.begin("for (; j + LANES <= $L; j += LANES)", n);
      tile(w, bRows, tile, epilogue, rows, 1, "LANES");
      w.end();
    }
    w.begin("if (j < $L)", n);
    w.comment("the last columns: whole vectors are read, lanes past column $L are not used", n);
    tile(w, bRows, tile, epilogue, rows, 1, n + " - j");
    w.end();
  }

  private void tile(KernelWriter w, String bRows, String tile, String epilogue, int rows, int vectors, String width) {
    String aOff = transA ? "i" : "i * " + k;
    String ars = transA ? "1" : Integer.toString(k);
    String acs = transA ? Integer.toString(m) : "1";
    String kernel = "tile" + rows + "x" + vectors;
    if (rows == ROWS) {
      w.statement("$T.$L($L, $L, $L, $L, $L, j, $L, $L, $L, tileBase)", GEMM, kernel, a, aOff, ars, acs, bRows, n, k, tile);
    } else {
      w.statement("$T.$L($L, $L, $L, $L, j, $L, $L, $L, tileBase)", GEMM, kernel, a, aOff, acs, bRows, n, k, tile);
    }
    w.statement("$L(i, i + $L, j, j + $L, tileBase)", epilogue, rows, width);
  }
}
