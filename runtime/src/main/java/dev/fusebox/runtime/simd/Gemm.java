package dev.fusebox.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked matmul micro-kernels generated vector code calls: each accumulates one output
 * tile of {@code A·B} over {@code k} steps and stores it to a tile array, for the caller's epilogue.
 * Written once here (not per program) so that every program shares one JIT-compiled copy.
 *
 * <p>Element (i, p) of A is {@code a[aOff + i·ars + p·acs]} (a transposed A just swaps the strides);
 * row p of B starts at {@code b[bOff + p·ldb]} and is read a vector at a time. The tile is stored with
 * rows {@value #TILE_VECTORS} vectors apart. B is read a whole vector at a time even for the last
 * columns of a matrix: callers pad their arrays by one vector and ignore the extra lanes.
 *
 * <p>The 4 × 6 kernel keeps 24 accumulators in registers (AVX-512 has 32), and each step broadcasts
 * one element of A per row and fuses it into six vectors of B: 24 FMAs for 6 loads and 4 broadcasts.
 * The broadcasts compete with the FMAs for execution ports, so the more FMAs per broadcast the better:
 * measured on AVX-512 (an AMD EPYC) over pre-packed panels at 256³ and 1024³, 4 × 4 tiles reach 84%
 * and 79% of the FMA peak, 4 × 6 tiles 92% and 91%; 3 × 8 and 2 × 12 run out of registers and are
 * slower. The 4 × 4 kernel
 * takes the columns a matrix has left for fewer than six vectors but at least four.
 */
public final class Gemm {
  private Gemm() {}

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** Vectors per tile row. */
  public static final int TILE_VECTORS = 6;
  /** Rows per tile. */
  public static final int TILE_ROWS = 4;

  /** Floats one tile needs. */
  public static int tileSize() {
    return TILE_ROWS * TILE_VECTORS * S.length();
  }

  /** 4 rows × 6 vectors: the kernel of every large matmul. */
  public static void tile4x6(float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb, int k, float[] t, int tOff) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S), c04 = FloatVector.zero(S), c05 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S), c14 = FloatVector.zero(S), c15 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S), c24 = FloatVector.zero(S), c25 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S), c34 = FloatVector.zero(S), c35 = FloatVector.zero(S);
    int l = S.length();
    for (int p = 0; p < k; p++) {
      int base = bOff + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, base);
      FloatVector b1 = FloatVector.fromArray(S, b, base + l);
      FloatVector b2 = FloatVector.fromArray(S, b, base + 2 * l);
      FloatVector b3 = FloatVector.fromArray(S, b, base + 3 * l);
      FloatVector b4 = FloatVector.fromArray(S, b, base + 4 * l);
      FloatVector b5 = FloatVector.fromArray(S, b, base + 5 * l);
      int ap = aOff + p * acs;
      FloatVector a0 = FloatVector.broadcast(S, a[ap]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      c02 = a0.fma(b2, c02);
      c03 = a0.fma(b3, c03);
      c04 = a0.fma(b4, c04);
      c05 = a0.fma(b5, c05);
      FloatVector a1 = FloatVector.broadcast(S, a[ap + ars]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      c12 = a1.fma(b2, c12);
      c13 = a1.fma(b3, c13);
      c14 = a1.fma(b4, c14);
      c15 = a1.fma(b5, c15);
      FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * ars]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      c22 = a2.fma(b2, c22);
      c23 = a2.fma(b3, c23);
      c24 = a2.fma(b4, c24);
      c25 = a2.fma(b5, c25);
      FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * ars]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      c32 = a3.fma(b2, c32);
      c33 = a3.fma(b3, c33);
      c34 = a3.fma(b4, c34);
      c35 = a3.fma(b5, c35);
    }
    int row = TILE_VECTORS * l;
    c00.intoArray(t, tOff);
    c01.intoArray(t, tOff + l);
    c02.intoArray(t, tOff + 2 * l);
    c03.intoArray(t, tOff + 3 * l);
    c04.intoArray(t, tOff + 4 * l);
    c05.intoArray(t, tOff + 5 * l);
    c10.intoArray(t, tOff + row);
    c11.intoArray(t, tOff + row + l);
    c12.intoArray(t, tOff + row + 2 * l);
    c13.intoArray(t, tOff + row + 3 * l);
    c14.intoArray(t, tOff + row + 4 * l);
    c15.intoArray(t, tOff + row + 5 * l);
    c20.intoArray(t, tOff + 2 * row);
    c21.intoArray(t, tOff + 2 * row + l);
    c22.intoArray(t, tOff + 2 * row + 2 * l);
    c23.intoArray(t, tOff + 2 * row + 3 * l);
    c24.intoArray(t, tOff + 2 * row + 4 * l);
    c25.intoArray(t, tOff + 2 * row + 5 * l);
    c30.intoArray(t, tOff + 3 * row);
    c31.intoArray(t, tOff + 3 * row + l);
    c32.intoArray(t, tOff + 3 * row + 2 * l);
    c33.intoArray(t, tOff + 3 * row + 3 * l);
    c34.intoArray(t, tOff + 3 * row + 4 * l);
    c35.intoArray(t, tOff + 3 * row + 5 * l);
  }

  /** 4 rows × 4 vectors. */
  public static void tile4x4(float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb, int k, float[] t, int tOff) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
    int l = S.length();
    for (int p = 0; p < k; p++) {
      int base = bOff + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, base);
      FloatVector b1 = FloatVector.fromArray(S, b, base + l);
      FloatVector b2 = FloatVector.fromArray(S, b, base + 2 * l);
      FloatVector b3 = FloatVector.fromArray(S, b, base + 3 * l);
      int ap = aOff + p * acs;
      FloatVector a0 = FloatVector.broadcast(S, a[ap]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      c02 = a0.fma(b2, c02);
      c03 = a0.fma(b3, c03);
      FloatVector a1 = FloatVector.broadcast(S, a[ap + ars]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      c12 = a1.fma(b2, c12);
      c13 = a1.fma(b3, c13);
      FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * ars]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      c22 = a2.fma(b2, c22);
      c23 = a2.fma(b3, c23);
      FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * ars]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      c32 = a3.fma(b2, c32);
      c33 = a3.fma(b3, c33);
    }
    int row = TILE_VECTORS * l;
    c00.intoArray(t, tOff);
    c01.intoArray(t, tOff + l);
    c02.intoArray(t, tOff + 2 * l);
    c03.intoArray(t, tOff + 3 * l);
    c10.intoArray(t, tOff + row);
    c11.intoArray(t, tOff + row + l);
    c12.intoArray(t, tOff + row + 2 * l);
    c13.intoArray(t, tOff + row + 3 * l);
    c20.intoArray(t, tOff + 2 * row);
    c21.intoArray(t, tOff + 2 * row + l);
    c22.intoArray(t, tOff + 2 * row + 2 * l);
    c23.intoArray(t, tOff + 2 * row + 3 * l);
    c30.intoArray(t, tOff + 3 * row);
    c31.intoArray(t, tOff + 3 * row + l);
    c32.intoArray(t, tOff + 3 * row + 2 * l);
    c33.intoArray(t, tOff + 3 * row + 3 * l);
  }

  /** 4 rows × 1 vector. */
  public static void tile4x1(float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb, int k, float[] t, int tOff) {
    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
    for (int p = 0; p < k; p++) {
      FloatVector b0 = FloatVector.fromArray(S, b, bOff + p * ldb);
      int ap = aOff + p * acs;
      c0 = FloatVector.broadcast(S, a[ap]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, a[ap + ars]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, a[ap + 2 * ars]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, a[ap + 3 * ars]).fma(b0, c3);
    }
    int row = TILE_VECTORS * S.length();
    c0.intoArray(t, tOff);
    c1.intoArray(t, tOff + row);
    c2.intoArray(t, tOff + 2 * row);
    c3.intoArray(t, tOff + 3 * row);
  }

  /** 1 row × 6 vectors. */
  public static void tile1x6(float[] a, int aOff, int acs, float[] b, int bOff, int ldb, int k, float[] t, int tOff) {
    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
    int l = S.length();
    for (int p = 0; p < k; p++) {
      int base = bOff + p * ldb;
      FloatVector a0 = FloatVector.broadcast(S, a[aOff + p * acs]);
      c0 = a0.fma(FloatVector.fromArray(S, b, base), c0);
      c1 = a0.fma(FloatVector.fromArray(S, b, base + l), c1);
      c2 = a0.fma(FloatVector.fromArray(S, b, base + 2 * l), c2);
      c3 = a0.fma(FloatVector.fromArray(S, b, base + 3 * l), c3);
      c4 = a0.fma(FloatVector.fromArray(S, b, base + 4 * l), c4);
      c5 = a0.fma(FloatVector.fromArray(S, b, base + 5 * l), c5);
    }
    c0.intoArray(t, tOff);
    c1.intoArray(t, tOff + l);
    c2.intoArray(t, tOff + 2 * l);
    c3.intoArray(t, tOff + 3 * l);
    c4.intoArray(t, tOff + 4 * l);
    c5.intoArray(t, tOff + 5 * l);
  }

  /** 1 row × 4 vectors. */
  public static void tile1x4(float[] a, int aOff, int acs, float[] b, int bOff, int ldb, int k, float[] t, int tOff) {
    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
    int l = S.length();
    for (int p = 0; p < k; p++) {
      int base = bOff + p * ldb;
      FloatVector a0 = FloatVector.broadcast(S, a[aOff + p * acs]);
      c0 = a0.fma(FloatVector.fromArray(S, b, base), c0);
      c1 = a0.fma(FloatVector.fromArray(S, b, base + l), c1);
      c2 = a0.fma(FloatVector.fromArray(S, b, base + 2 * l), c2);
      c3 = a0.fma(FloatVector.fromArray(S, b, base + 3 * l), c3);
    }
    c0.intoArray(t, tOff);
    c1.intoArray(t, tOff + l);
    c2.intoArray(t, tOff + 2 * l);
    c3.intoArray(t, tOff + 3 * l);
  }

  /** 1 row × 1 vector. */
  public static void tile1x1(float[] a, int aOff, int acs, float[] b, int bOff, int ldb, int k, float[] t, int tOff) {
    FloatVector c0 = FloatVector.zero(S);
    for (int p = 0; p < k; p++) c0 = FloatVector.broadcast(S, a[aOff + p * acs]).fma(FloatVector.fromArray(S, b, bOff + p * ldb), c0);
    c0.intoArray(t, tOff);
  }
}
