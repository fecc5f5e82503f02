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
 * accumulated by one of the runtime's register-blocked micro-kernels ({@code Gemm}: 4 rows × 6 or
 * × 4 vectors, chosen by the column count; for the columns left, 4 × 4 and 4 × 1; for the rows left,
 * 1 × 6, 1 × 4 and 1 × 1), written once and shared by every program, so that generated
 * sources stay small (fast to compile) and the JIT compiles the hot loop once. The last columns use a
 * whole-vector tile too (arrays are padded; the epilogue ignores the extra lanes). Scalar backend, and
 * matmuls narrower than {@link #MIN_VECTOR_COLUMNS} in the vector backend: one
 * row at a time, i-k-j, the row of C as the tile. A transposed B is first copied into row-major order
 * so that tiles read B contiguously; the rows of a transposed A are packed into micro-panels of four
 * ({@code Panels.packRows}), so that a tile reads each step's four values of A from one cache line.
 */
final class MatmulEmitter {
  static final ClassName GEMM = ClassName.get("dev.fusebox.runtime.simd", "Gemm");
  static final ClassName PANELS = ClassName.get("dev.fusebox.runtime.simd", "Panels");
  static final int ROWS = 4;
  /** Vectors per row of the widest tile; {@code Gemm.TILE_VECTORS}. */
  static final int VECTORS = 6;
  /** Vectors per row of the narrower tile: the columns a wide tile leaves, or all of them (see {@link #tileVectors}). */
  static final int NARROW_VECTORS = 4;
  /**
   * Relative speed per column of a 4 × 6, 4 × 4 and 4 × 1 tile (measured on AVX-512 with 16 lanes:
   * 92%, 84% and about 40% of the FMA peak), to choose the tile width of a matmul by its column count.
   */
  private static final double WIDE_SPEED = 0.92, NARROW_SPEED = 0.84, SINGLE_SPEED = 0.4;
  /** The lane count the tile width is chosen for; the same source for every machine, correct for any. */
  private static final int NOMINAL_LANES = 16;
  /** The fewest float lanes a preferred species has (64-bit vectors): paths that cannot run with it are left out. */
  static final int MIN_LANES = 2;
  /**
   * Rows of C per parallel chunk, between these two: about eight chunks, so that a thread that gets
   * less of the machine takes fewer of them, but each chunk large enough to read a panel of B many
   * times. Chunks depend on the shape only, so results do not depend on the thread count.
   */
  static final int MIN_CHUNK_ROWS = 16, MAX_CHUNK_ROWS = 64;
  /**
   * The vector backend packs B into panels when it is transposed (a copy is needed anyway) and when
   * C has at least this many rows to reuse each panel and k is at least this deep: below that, a
   * panel fits in L1 as it stands and the copy would cost more than it saves.
   */
  static final int PACK_MIN_ROWS = 64, PACK_MIN_DEPTH = 128;
  /**
   * A tile reads a cache line of a transposed A per step of k; from this depth on those k lines no
   * longer stay in a 32 KiB L1 for the next tiles, and A is packed first. Below it, packing has not been
   * shown to pay for itself (the mnist and wide steps' weight gradients stay as they were).
   */
  static final int PACK_A_MIN_DEPTH = 512;
  /**
   * Matmuls with fewer columns than this run as scalar loops in the vector backend too: a vector
   * tile would compute mostly unused lanes (measured: the 3-2-1 network's step about 15% faster).
   */
  static final int MIN_VECTOR_COLUMNS = 8;
  /** Matmuls below this many flops run on one thread: handing them out would cost more than it saves. */
  static final long PARALLEL_FLOPS = 1L << 20;

  /** Whether tiles are vector micro-kernels; otherwise rows of plain scalar loops. */
  private final boolean vector;
  private final Storage storage;
  private final Node matmul;
  private final String a;
  private final String b;
  private final int m, n, k;
  /**
   * How deep a step sums: k, or {@code validRows} when the plan says the sum may stop at the batch's
   * valid rows (a weight gradient dzᵀ·x, see ValidRows). B's panels and the micro-panels of a
   * transposed A then hold that many rows.
   */
  private final String depth;
  private final boolean transA, transB;
  /** Whether B is read from panels ({@code Panels.pack}) rather than row-major. */
  private final boolean packed;
  /** Whether the rows of a transposed A are first packed into micro-panels of {@link #ROWS} ({@code Panels.packRows}). */
  private final boolean packA;
  /** The arrays the tiles read: A or its micro-panels, B or its panels or row-major copy. */
  private final String aRows, bRows;
  /** Floats from one micro-panel of A to the next, divided by {@link #ROWS}: the steps each holds. */
  private final String aSteps;
  /** Vectors per row of this matmul's full tiles, and the width of its panels as an expression. */
  private final int vectors;
  private final String panel;

  MatmulEmitter(Backend backend, Storage storage, Node matmul, String a, String b, boolean validDepth) {
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
    this.vector = backend == Backend.VECTOR && n >= MIN_VECTOR_COLUMNS;
    this.packed = vector && (transB || m >= PACK_MIN_ROWS && k >= PACK_MIN_DEPTH);
    this.packA = vector && transA && m >= PACK_MIN_ROWS && k >= PACK_A_MIN_DEPTH;
    this.depth = validDepth ? "validRows" : Integer.toString(k);
    this.vectors = tileVectors(n);
    this.panel = vectors == VECTORS ? "PANEL" : "NARROW_PANEL";
    // A parameter's copies are kept between calls and refreshed only when it changes (Storage.keptCopy);
    // a value's are made by each call, in scratch.
    Node aNode = matmul.input(0), bNode = matmul.input(1);
    this.aKept = packA && aNode.op().isVariable();
    this.bKept = (packed || transB) && bNode.op().isVariable();
    String aPanels = Integer.toString(m / ROWS * ROWS * k);
    this.aRows = !packA ? a : aKept ? storage.keptCopy(aNode, "rows", aPanels, packA(storage.fieldOf(aNode), Integer.toString(k), "%s"))
        : storage.scratch("apanels", aPanels);
    // a kept copy holds every step; one made by the call only the steps it sums
    this.aSteps = aKept ? Integer.toString(k) : depth;
    String panels = k + " * ((" + n + " + " + panel + " - 1) / " + panel + " * " + panel + ")";
    if (packed) {
      String layout = (vectors == VECTORS ? "panels" : "narrow_panels") + (transB ? "_t" : ""); // panels of B, or of Bᵀ
      this.bRows = bKept ? storage.keptCopy(bNode, layout, panels, copyB(storage.fieldOf(bNode), "%s"))
          : storage.scratch("panels", panels);
    } else if (transB) {
      this.bRows = bKept ? storage.keptCopy(bNode, "t", Integer.toString(k * n), copyB(storage.fieldOf(bNode), "%s")) : storage.scratch("bt", k * n);
    } else {
      this.bRows = b;
    }
  }

  /** Copies of a parameter operand are kept between calls ({@link Storage#keptCopy}), not made by each call. */
  private final boolean aKept, bKept;

  /** The call of {@code Panels} packing the first {@code steps} steps of a transposed A ({@code src}) into {@code dst}. */
  private String packA(String src, String steps, String dst) {
    return String.format("packRows(%s, %s, %d, %s)", src, steps, m, dst);
  }

  /** The call of {@code Panels} copying B ({@code src}) into panels, or row-major, in {@code dst}. */
  private String copyB(String src, String dst) {
    if (packed && transB) return String.format("transpose(%s, %d, %d, %s, %s)", src, n, k, dst, panel);
    if (packed) return String.format("pack(%s, %s, %d, %s, %s)", src, depth, n, dst, panel);
    return String.format("transpose(%s, %d, %d, %s, %d)", src, n, k, dst, n);
  }

  /**
   * 6 vectors per tile where that is faster for {@code n} columns, else 4: a 4 × 6 tile does the most
   * work per broadcast, but the columns it leaves go to slower tiles (n = 128 is faster as two 4 × 4
   * tiles than as 4 × 6 and two 4 × 1). Decided for a nominal 16 lanes, so the source does not
   * depend on the machine that generates it.
   */
  static int tileVectors(int n) {
    double wide = NOMINAL_LANES * VECTORS, narrow = NOMINAL_LANES * NARROW_VECTORS;
    double rest = n % wide;
    double wideCost = Math.floor(n / wide) * wide / WIDE_SPEED
        + (rest >= narrow ? narrow / NARROW_SPEED + leftover(rest - narrow) : leftover(rest));
    double narrowCost = Math.floor(n / narrow) * narrow / NARROW_SPEED + leftover(n % narrow);
    return wideCost < narrowCost ? VECTORS : NARROW_VECTORS;
  }

  /** Cost of columns left for 4 × 1 tiles, each a whole vector. */
  private static double leftover(double cols) {
    return Math.ceil(cols / NOMINAL_LANES) * NOMINAL_LANES / SINGLE_SPEED;
  }

  /** Floats of tile scratch per thread. */
  String tileSize() {
    return vector ? ROWS + " * " + VECTORS + " * LANES" : Integer.toString(n);
  }

  /** Row stride of the tile scratch. */
  String tileStride() {
    return vector ? VECTORS + " * LANES" : Integer.toString(n);
  }

  /** Whether this matmul is worth splitting into row chunks on several threads. */
  boolean parallel() {
    return 2L * m * n * k >= PARALLEL_FLOPS && m > MIN_CHUNK_ROWS;
  }

  int chunkRows() {
    int eighth = (m / 8 + ROWS - 1) / ROWS * ROWS;
    return Math.max(MIN_CHUNK_ROWS, Math.min(MAX_CHUNK_ROWS, eighth));
  }

  /**
   * Emits into {@code w} the copy of a transposed B (once, before any rows); the rows themselves go
   * in {@code rows}, the body of a method {@code (int from, int to, int tileBase)} computing rows
   * [from, to) of C with the tile scratch at {@code tileBase}. {@code epilogue} is called as
   * {@code epilogue(i0, i1, j0, j1, tileBase)}.
   */
  void emit(KernelWriter w, KernelWriter rows, String tile, String epilogue) {
    if (packA) {
      w.comment("A is transposed: its rows are packed in fours, each step's four values adjacent, so that a tile reads");
      w.comment("one cache line of A per four steps instead of one per step (the rows left over are read where they are)");
      if (aKept) w.comment("($L is the parameter's copy, refreshed whenever the parameter changes)", aRows);
      else w.statement("$T.$L", PANELS, packA(a, depth, aRows));
    }
    if (packed) {
      w.comment("B is packed into panels of $L columns, each panel's $L rows contiguous, so that a tile streams its", panel, k);
      w.comment("panel from cache instead of striding across the rows of B");
    } else if (transB) {
      w.comment("B is transposed: read it row-major, so that tiles read it contiguously");
    }
    if (bKept) w.comment("($L is the parameter's copy, refreshed whenever the parameter changes)", bRows);
    else if (packed || transB) w.statement("$T.$L", PANELS, copyB(b, bRows));
    if (!vector) {
      scalar(rows, tile, epilogue);
    } else {
      vector(rows, tile, epilogue);
    }
  }

  private String aAt(String row, String col) {
    return transA ? a + "[" + col + " * " + m + " + " + row + "]" : a + "[(" + row + ") * " + k + " + " + col + "]";
  }

  private void scalar(KernelWriter w, String tile, String epilogue) {
    w.begin("for (int i = from; i < to; i++)");
    w.statement("java.util.Arrays.fill($L, tileBase, tileBase + $L, 0f)", tile, n);
    w.begin("for (int kk = 0; kk < $L; kk++)", depth);
    w.statement("float a = $L", aAt("i", "kk"));
    w.statement("int base = kk * $L", n);
    w.begin("for (int j = 0; j < $L; j++)", n);
    w.statement("$L[tileBase + j] += a * $L[base + j]", tile, bRows);
    w.end();
    w.end();
    w.statement("$L(i, i + 1, 0, $L, tileBase)", epilogue, n);
    w.end();
  }

  /**
   * Whole row tiles go panel by panel: for each panel of B (its k rows × one tile's columns), every row
   * tile of the chunk in turn, so that the panel is read from cache again rather than from memory.
   * Each element of C is still accumulated in one tile call over all of k, so the order of the loops
   * does not change any result.
   */
  private void vector(KernelWriter w, String tile, String epilogue) {
    String rowTail = "from";
    w.statement("int j");
    if (m >= ROWS) {
      w.statement("int rowEnd = from + (to - from) / $L * $L", ROWS, ROWS);
      columns(w, tile, epilogue, ROWS, "for (int i = from; i < rowEnd; i += " + ROWS + ")");
      rowTail = "rowEnd";
    }
    columns(w, tile, epilogue, 1, "for (int i = " + rowTail + "; i < to; i++)");
  }

  private void columns(KernelWriter w, String tile, String epilogue, int rows, String rowLoop) {
    w.statement("j = 0");
    if (n >= vectors * MIN_LANES) {
      w.begin("for (; j + $L * LANES <= $L; j += $L * LANES)", vectors, n, vectors);
      w.begin(rowLoop);
      tile(w, tile, epilogue, rows, vectors, vectors + " * LANES");
      w.end();
      w.end();
    }
    if (vectors == VECTORS && n >= NARROW_VECTORS * MIN_LANES) {
      w.begin("if (j + $L * LANES <= $L)", NARROW_VECTORS, n);
      w.begin(rowLoop);
      tile(w, tile, epilogue, rows, NARROW_VECTORS, NARROW_VECTORS + " * LANES");
      w.end();
      w.statement("j += $L * LANES", NARROW_VECTORS);
      w.end();
    }
    if (n >= MIN_LANES) {
      w.begin("for (; j + LANES <= $L; j += LANES)", n);
      w.begin(rowLoop);
      tile(w, tile, epilogue, rows, 1, "LANES");
      w.end();
      w.end();
    }
    w.begin("if (j < $L)", n);
    w.comment("the last columns: whole vectors are read, lanes past column $L are not used", n);
    w.begin(rowLoop);
    tile(w, tile, epilogue, rows, 1, n + " - j");
    w.end();
    w.end();
  }

  private void tile(KernelWriter w, String tile, String epilogue, int rows, int vectors, String width) {
    // a tile of four rows reads A's micro-panel of rows [i, i + 4) if it has one: element (i, p) at i·steps + 4p + i % 4
    boolean panel4 = packA && rows == ROWS;
    String aArray = panel4 ? aRows : a;
    String aOff = panel4 ? "i * " + aSteps : transA ? "i" : "i * " + k;
    String ars = panel4 || transA ? "1" : Integer.toString(k);
    String acs = panel4 ? Integer.toString(ROWS) : transA ? Integer.toString(m) : "1";
    String bOff = !packed ? "j" : vectors == this.vectors ? "j * " + depth : "j / " + panel + " * " + depth + " * " + panel + " + j % " + panel;
    String ldb = packed ? panel : Integer.toString(n);
    String kernel = "tile" + rows + "x" + vectors;
    if (rows == ROWS) {
      w.statement("$T.$L($L, $L, $L, $L, $L, $L, $L, $L, $L, tileBase)", GEMM, kernel, aArray, aOff, ars, acs, bRows, bOff, ldb, depth, tile);
    } else {
      w.statement("$T.$L($L, $L, $L, $L, $L, $L, $L, $L, tileBase)", GEMM, kernel, aArray, aOff, acs, bRows, bOff, ldb, depth, tile);
    }
    w.statement("$L(i, i + $L, j, j + $L, tileBase)", epilogue, rows, width);
  }
}
