package org.transformer4j.cpu.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner kernels of {@link Sgemm}: one {@code mr x nr} tile of C (a {@link SgemmTile}) from
 * {@code mr} rows of op(A) and a {@code kc x nr} packed panel of B.
 *
 * <p>The tile lives in {@code mr * vectors} vector registers for the whole {@code kc} loop: each step loads the B
 * vectors and multiplies them by {@code mr} broadcast values of A (fused multiply-add). The loop has no masks and no
 * edge cases, because the packing pads B panels with zeros (and partial A panels are packed with zero rows). The
 * accumulators then go to a per-thread scratch tile, and {@link #writeTile} combines the part of it that lies in C
 * with alpha and beta (vectors for a whole tile, a scalar loop with the same rounding at the edges), so every element
 * of C is computed the same way wherever it lies and whichever tile shape computes it.
 *
 * <p>The two kernels of each shape differ only in where the broadcast A values come from: a packed panel, or the
 * caller's row-major A in place ({@code mr} rows read side by side). Reading A in place saves packing it, which
 * matters when C has few columns (each A panel is then used only a few times per pack); a transposed A is always
 * packed, because reading it in place walks down {@code kc} rows {@code lda} apart, which thrashes L1 for
 * power-of-two {@code lda}. Each shape is written out in full because the accumulators must be locals for the JIT to
 * keep them in registers.
 */
final class SgemmMicroKernel {
    static final VectorSpecies<Float> SPECIES = VectorWidth.FLOAT;
    /** Floats per vector register. */
    static final int V = SPECIES.length();
    /** Floats of the largest tile (for scratch). */
    static final int MAX_TILE = 16 * 4 * V;

    private SgemmMicroKernel() {}

    /**
     * A from a packed panel ({@code ap[ao + p*mr + r]} is op(A)(r, p)):
     * {@code C[0..rows, 0..cols] = alpha * (A x Bpanel) + beta * C}, where C starts at {@code c[co]} with row stride
     * {@code ldc} and the B panel at {@code bp[bo]}. {@code beta == 0} does not read C. {@code t} is scratch of at
     * least {@link #MAX_TILE} floats.
     */
    static void packed(SgemmTile tile, float[] ap, int ao, float[] bp, int bo, int kc,
                       float[] c, int co, int ldc, int rows, int cols, float alpha, float beta, float[] t) {
        switch (tile) {
            case T6X2 -> packed6x2(ap, ao, bp, bo, kc, t);
            case T4X2 -> packed4x2(ap, ao, bp, bo, kc, t);
            case T8X3 -> packed8x3(ap, ao, bp, bo, kc, t);
            case T14X2 -> packed14x2(ap, ao, bp, bo, kc, t);
            case T6X4 -> packed6x4(ap, ao, bp, bo, kc, t);
        }
        writeTile(t, tile.nr, c, co, ldc, rows, cols, tile.mr, alpha, beta);
    }

    /**
     * A read in place, row-major ({@code a[a0 + r*lda + p]} is op(A)(r, p)); all {@code mr} rows must exist.
     * Otherwise as {@link #packed}.
     */
    static void rowMajorA(SgemmTile tile, float[] a, int a0, int lda, float[] bp, int bo, int kc,
                          float[] c, int co, int ldc, int rows, int cols, float alpha, float beta, float[] t) {
        switch (tile) {
            case T6X2 -> rowMajorA6x2(a, a0, lda, bp, bo, kc, t);
            case T4X2 -> rowMajorA4x2(a, a0, lda, bp, bo, kc, t);
            case T8X3 -> rowMajorA8x3(a, a0, lda, bp, bo, kc, t);
            case T14X2 -> rowMajorA14x2(a, a0, lda, bp, bo, kc, t);
            case T6X4 -> rowMajorA6x4(a, a0, lda, bp, bo, kc, t);
        }
        writeTile(t, tile.nr, c, co, ldc, rows, cols, tile.mr, alpha, beta);
    }

    /**
     * {@code C = alpha * T + beta * C} for the {@code rows x cols} corner of the scratch tile {@code t} (rows
     * {@code nr} apart); {@code beta == 0} does not read C. Whole tiles in vectors, edges element by element, with
     * the same rounding (a product, then a sum: no fused multiply-add).
     */
    private static void writeTile(float[] t, int nr, float[] c, int co, int ldc, int rows, int cols, int mr,
                                  float alpha, float beta) {
        if (rows == mr && cols == nr) {
            for (int r = 0; r < rows; r++) {
                int o = co + r * ldc;
                for (int j = 0; j < nr; j += V) {
                    FloatVector x = FloatVector.fromArray(SPECIES, t, r * nr + j).mul(alpha);
                    if (beta != 0f) {
                        x = x.add(FloatVector.fromArray(SPECIES, c, o + j).mul(beta));
                    }
                    x.intoArray(c, o + j);
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int o = co + r * ldc;
            int tr = r * nr;
            for (int j = 0; j < cols; j++) {
                float x = t[tr + j] * alpha;
                c[o + j] = beta == 0f ? x : x + c[o + j] * beta;
            }
        }
    }

    // The kernels below are one pattern written out per shape: accumulate, then store the accumulators
    // row by row into t (row r, vector v at (r * vectors + v) * V).

    private static void packed4x2(float[] ap, int ao, float[] bp, int bo, int kc, float[] t) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        for (int p = 0, ai = ao, bi = bo; p < kc; p++, ai += 4, bi += 2 * V) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector av = FloatVector.broadcast(SPECIES, ap[ai]);
            c0_0 = av.fma(b0, c0_0);
            c0_1 = av.fma(b1, c0_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c1_0 = av.fma(b0, c1_0);
            c1_1 = av.fma(b1, c1_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c2_0 = av.fma(b0, c2_0);
            c2_1 = av.fma(b1, c2_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c3_0 = av.fma(b0, c3_0);
            c3_1 = av.fma(b1, c3_1);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, 1 * V);
        c1_0.intoArray(t, 2 * V);
        c1_1.intoArray(t, 3 * V);
        c2_0.intoArray(t, 4 * V);
        c2_1.intoArray(t, 5 * V);
        c3_0.intoArray(t, 6 * V);
        c3_1.intoArray(t, 7 * V);
    }

    private static void packed6x2(float[] ap, int ao, float[] bp, int bo, int kc, float[] t) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        FloatVector c4_0 = z, c4_1 = z, c5_0 = z, c5_1 = z;
        for (int p = 0, ai = ao, bi = bo; p < kc; p++, ai += 6, bi += 2 * V) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector av = FloatVector.broadcast(SPECIES, ap[ai]);
            c0_0 = av.fma(b0, c0_0);
            c0_1 = av.fma(b1, c0_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c1_0 = av.fma(b0, c1_0);
            c1_1 = av.fma(b1, c1_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c2_0 = av.fma(b0, c2_0);
            c2_1 = av.fma(b1, c2_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c3_0 = av.fma(b0, c3_0);
            c3_1 = av.fma(b1, c3_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c4_0 = av.fma(b0, c4_0);
            c4_1 = av.fma(b1, c4_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c5_0 = av.fma(b0, c5_0);
            c5_1 = av.fma(b1, c5_1);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, 1 * V);
        c1_0.intoArray(t, 2 * V);
        c1_1.intoArray(t, 3 * V);
        c2_0.intoArray(t, 4 * V);
        c2_1.intoArray(t, 5 * V);
        c3_0.intoArray(t, 6 * V);
        c3_1.intoArray(t, 7 * V);
        c4_0.intoArray(t, 8 * V);
        c4_1.intoArray(t, 9 * V);
        c5_0.intoArray(t, 10 * V);
        c5_1.intoArray(t, 11 * V);
    }

    private static void rowMajorA4x2(float[] a, int a0, int lda, float[] bp, int bo, int kc, float[] t) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int p = 0, bi = bo; p < kc; p++, bi += 2 * V) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c0_0 = av.fma(b0, c0_0);
            c0_1 = av.fma(b1, c0_1);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c1_0 = av.fma(b0, c1_0);
            c1_1 = av.fma(b1, c1_1);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c2_0 = av.fma(b0, c2_0);
            c2_1 = av.fma(b1, c2_1);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c3_0 = av.fma(b0, c3_0);
            c3_1 = av.fma(b1, c3_1);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, 1 * V);
        c1_0.intoArray(t, 2 * V);
        c1_1.intoArray(t, 3 * V);
        c2_0.intoArray(t, 4 * V);
        c2_1.intoArray(t, 5 * V);
        c3_0.intoArray(t, 6 * V);
        c3_1.intoArray(t, 7 * V);
    }

    private static void rowMajorA6x2(float[] a, int a0, int lda, float[] bp, int bo, int kc, float[] t) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        FloatVector c4_0 = z, c4_1 = z, c5_0 = z, c5_1 = z;
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int p = 0, bi = bo; p < kc; p++, bi += 2 * V) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c0_0 = av.fma(b0, c0_0);
            c0_1 = av.fma(b1, c0_1);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c1_0 = av.fma(b0, c1_0);
            c1_1 = av.fma(b1, c1_1);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c2_0 = av.fma(b0, c2_0);
            c2_1 = av.fma(b1, c2_1);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c3_0 = av.fma(b0, c3_0);
            c3_1 = av.fma(b1, c3_1);
            av = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c4_0 = av.fma(b0, c4_0);
            c4_1 = av.fma(b1, c4_1);
            av = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c5_0 = av.fma(b0, c5_0);
            c5_1 = av.fma(b1, c5_1);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, 1 * V);
        c1_0.intoArray(t, 2 * V);
        c1_1.intoArray(t, 3 * V);
        c2_0.intoArray(t, 4 * V);
        c2_1.intoArray(t, 5 * V);
        c3_0.intoArray(t, 6 * V);
        c3_1.intoArray(t, 7 * V);
        c4_0.intoArray(t, 8 * V);
        c4_1.intoArray(t, 9 * V);
        c5_0.intoArray(t, 10 * V);
        c5_1.intoArray(t, 11 * V);
    }

    private static void packed8x3(float[] ap, int ao, float[] bp, int bo, int kc, float[] t) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0_0 = z, c0_1 = z, c0_2 = z, c1_0 = z, c1_1 = z, c1_2 = z, c2_0 = z, c2_1 = z;
        FloatVector c2_2 = z, c3_0 = z, c3_1 = z, c3_2 = z, c4_0 = z, c4_1 = z, c4_2 = z, c5_0 = z;
        FloatVector c5_1 = z, c5_2 = z, c6_0 = z, c6_1 = z, c6_2 = z, c7_0 = z, c7_1 = z, c7_2 = z;
        for (int p = 0, ai = ao, bi = bo; p < kc; p++, ai += 8, bi += 3 * V) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bp, bi + 2 * V);
            FloatVector av = FloatVector.broadcast(SPECIES, ap[ai]);
            c0_0 = av.fma(b0, c0_0);
            c0_1 = av.fma(b1, c0_1);
            c0_2 = av.fma(b2, c0_2);
            av = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c1_0 = av.fma(b0, c1_0);
            c1_1 = av.fma(b1, c1_1);
            c1_2 = av.fma(b2, c1_2);
            av = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c2_0 = av.fma(b0, c2_0);
            c2_1 = av.fma(b1, c2_1);
            c2_2 = av.fma(b2, c2_2);
            av = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c3_0 = av.fma(b0, c3_0);
            c3_1 = av.fma(b1, c3_1);
            c3_2 = av.fma(b2, c3_2);
            av = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c4_0 = av.fma(b0, c4_0);
            c4_1 = av.fma(b1, c4_1);
            c4_2 = av.fma(b2, c4_2);
            av = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c5_0 = av.fma(b0, c5_0);
            c5_1 = av.fma(b1, c5_1);
            c5_2 = av.fma(b2, c5_2);
            av = FloatVector.broadcast(SPECIES, ap[ai + 6]);
            c6_0 = av.fma(b0, c6_0);
            c6_1 = av.fma(b1, c6_1);
            c6_2 = av.fma(b2, c6_2);
            av = FloatVector.broadcast(SPECIES, ap[ai + 7]);
            c7_0 = av.fma(b0, c7_0);
            c7_1 = av.fma(b1, c7_1);
            c7_2 = av.fma(b2, c7_2);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, 1 * V);
        c0_2.intoArray(t, 2 * V);
        c1_0.intoArray(t, 3 * V);
        c1_1.intoArray(t, 4 * V);
        c1_2.intoArray(t, 5 * V);
        c2_0.intoArray(t, 6 * V);
        c2_1.intoArray(t, 7 * V);
        c2_2.intoArray(t, 8 * V);
        c3_0.intoArray(t, 9 * V);
        c3_1.intoArray(t, 10 * V);
        c3_2.intoArray(t, 11 * V);
        c4_0.intoArray(t, 12 * V);
        c4_1.intoArray(t, 13 * V);
        c4_2.intoArray(t, 14 * V);
        c5_0.intoArray(t, 15 * V);
        c5_1.intoArray(t, 16 * V);
        c5_2.intoArray(t, 17 * V);
        c6_0.intoArray(t, 18 * V);
        c6_1.intoArray(t, 19 * V);
        c6_2.intoArray(t, 20 * V);
        c7_0.intoArray(t, 21 * V);
        c7_1.intoArray(t, 22 * V);
        c7_2.intoArray(t, 23 * V);
    }

    private static void rowMajorA8x3(float[] a, int a0, int lda, float[] bp, int bo, int kc, float[] t) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0_0 = z, c0_1 = z, c0_2 = z, c1_0 = z, c1_1 = z, c1_2 = z, c2_0 = z, c2_1 = z;
        FloatVector c2_2 = z, c3_0 = z, c3_1 = z, c3_2 = z, c4_0 = z, c4_1 = z, c4_2 = z, c5_0 = z;
        FloatVector c5_1 = z, c5_2 = z, c6_0 = z, c6_1 = z, c6_2 = z, c7_0 = z, c7_1 = z, c7_2 = z;
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
        for (int p = 0, bi = bo; p < kc; p++, bi += 3 * V) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bp, bi + 2 * V);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c0_0 = av.fma(b0, c0_0);
            c0_1 = av.fma(b1, c0_1);
            c0_2 = av.fma(b2, c0_2);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c1_0 = av.fma(b0, c1_0);
            c1_1 = av.fma(b1, c1_1);
            c1_2 = av.fma(b2, c1_2);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c2_0 = av.fma(b0, c2_0);
            c2_1 = av.fma(b1, c2_1);
            c2_2 = av.fma(b2, c2_2);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c3_0 = av.fma(b0, c3_0);
            c3_1 = av.fma(b1, c3_1);
            c3_2 = av.fma(b2, c3_2);
            av = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c4_0 = av.fma(b0, c4_0);
            c4_1 = av.fma(b1, c4_1);
            c4_2 = av.fma(b2, c4_2);
            av = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c5_0 = av.fma(b0, c5_0);
            c5_1 = av.fma(b1, c5_1);
            c5_2 = av.fma(b2, c5_2);
            av = FloatVector.broadcast(SPECIES, a[a6 + p]);
            c6_0 = av.fma(b0, c6_0);
            c6_1 = av.fma(b1, c6_1);
            c6_2 = av.fma(b2, c6_2);
            av = FloatVector.broadcast(SPECIES, a[a7 + p]);
            c7_0 = av.fma(b0, c7_0);
            c7_1 = av.fma(b1, c7_1);
            c7_2 = av.fma(b2, c7_2);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, 1 * V);
        c0_2.intoArray(t, 2 * V);
        c1_0.intoArray(t, 3 * V);
        c1_1.intoArray(t, 4 * V);
        c1_2.intoArray(t, 5 * V);
        c2_0.intoArray(t, 6 * V);
        c2_1.intoArray(t, 7 * V);
        c2_2.intoArray(t, 8 * V);
        c3_0.intoArray(t, 9 * V);
        c3_1.intoArray(t, 10 * V);
        c3_2.intoArray(t, 11 * V);
        c4_0.intoArray(t, 12 * V);
        c4_1.intoArray(t, 13 * V);
        c4_2.intoArray(t, 14 * V);
        c5_0.intoArray(t, 15 * V);
        c5_1.intoArray(t, 16 * V);
        c5_2.intoArray(t, 17 * V);
        c6_0.intoArray(t, 18 * V);
        c6_1.intoArray(t, 19 * V);
        c6_2.intoArray(t, 20 * V);
        c7_0.intoArray(t, 21 * V);
        c7_1.intoArray(t, 22 * V);
        c7_2.intoArray(t, 23 * V);
    }

    private static void packed14x2(float[] ap, int ao, float[] bp, int bo, int kc, float[] t) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        FloatVector c4_0 = z, c4_1 = z, c5_0 = z, c5_1 = z, c6_0 = z, c6_1 = z, c7_0 = z, c7_1 = z;
        FloatVector c8_0 = z, c8_1 = z, c9_0 = z, c9_1 = z, c10_0 = z, c10_1 = z, c11_0 = z, c11_1 = z;
        FloatVector c12_0 = z, c12_1 = z, c13_0 = z, c13_1 = z;
        for (int p = 0, ai = ao, bi = bo; p < kc; p++, ai += 14, bi += 2 * V) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector av = FloatVector.broadcast(SPECIES, ap[ai]);
            c0_0 = av.fma(b0, c0_0);
            c0_1 = av.fma(b1, c0_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c1_0 = av.fma(b0, c1_0);
            c1_1 = av.fma(b1, c1_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c2_0 = av.fma(b0, c2_0);
            c2_1 = av.fma(b1, c2_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c3_0 = av.fma(b0, c3_0);
            c3_1 = av.fma(b1, c3_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c4_0 = av.fma(b0, c4_0);
            c4_1 = av.fma(b1, c4_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c5_0 = av.fma(b0, c5_0);
            c5_1 = av.fma(b1, c5_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 6]);
            c6_0 = av.fma(b0, c6_0);
            c6_1 = av.fma(b1, c6_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 7]);
            c7_0 = av.fma(b0, c7_0);
            c7_1 = av.fma(b1, c7_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 8]);
            c8_0 = av.fma(b0, c8_0);
            c8_1 = av.fma(b1, c8_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 9]);
            c9_0 = av.fma(b0, c9_0);
            c9_1 = av.fma(b1, c9_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 10]);
            c10_0 = av.fma(b0, c10_0);
            c10_1 = av.fma(b1, c10_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 11]);
            c11_0 = av.fma(b0, c11_0);
            c11_1 = av.fma(b1, c11_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 12]);
            c12_0 = av.fma(b0, c12_0);
            c12_1 = av.fma(b1, c12_1);
            av = FloatVector.broadcast(SPECIES, ap[ai + 13]);
            c13_0 = av.fma(b0, c13_0);
            c13_1 = av.fma(b1, c13_1);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, 1 * V);
        c1_0.intoArray(t, 2 * V);
        c1_1.intoArray(t, 3 * V);
        c2_0.intoArray(t, 4 * V);
        c2_1.intoArray(t, 5 * V);
        c3_0.intoArray(t, 6 * V);
        c3_1.intoArray(t, 7 * V);
        c4_0.intoArray(t, 8 * V);
        c4_1.intoArray(t, 9 * V);
        c5_0.intoArray(t, 10 * V);
        c5_1.intoArray(t, 11 * V);
        c6_0.intoArray(t, 12 * V);
        c6_1.intoArray(t, 13 * V);
        c7_0.intoArray(t, 14 * V);
        c7_1.intoArray(t, 15 * V);
        c8_0.intoArray(t, 16 * V);
        c8_1.intoArray(t, 17 * V);
        c9_0.intoArray(t, 18 * V);
        c9_1.intoArray(t, 19 * V);
        c10_0.intoArray(t, 20 * V);
        c10_1.intoArray(t, 21 * V);
        c11_0.intoArray(t, 22 * V);
        c11_1.intoArray(t, 23 * V);
        c12_0.intoArray(t, 24 * V);
        c12_1.intoArray(t, 25 * V);
        c13_0.intoArray(t, 26 * V);
        c13_1.intoArray(t, 27 * V);
    }

    private static void rowMajorA14x2(float[] a, int a0, int lda, float[] bp, int bo, int kc, float[] t) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z;
        FloatVector c4_0 = z, c4_1 = z, c5_0 = z, c5_1 = z, c6_0 = z, c6_1 = z, c7_0 = z, c7_1 = z;
        FloatVector c8_0 = z, c8_1 = z, c9_0 = z, c9_1 = z, c10_0 = z, c10_1 = z, c11_0 = z, c11_1 = z;
        FloatVector c12_0 = z, c12_1 = z, c13_0 = z, c13_1 = z;
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda, a8 = a7 + lda, a9 = a8 + lda, a10 = a9 + lda, a11 = a10 + lda, a12 = a11 + lda, a13 = a12 + lda;
        for (int p = 0, bi = bo; p < kc; p++, bi += 2 * V) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c0_0 = av.fma(b0, c0_0);
            c0_1 = av.fma(b1, c0_1);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c1_0 = av.fma(b0, c1_0);
            c1_1 = av.fma(b1, c1_1);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c2_0 = av.fma(b0, c2_0);
            c2_1 = av.fma(b1, c2_1);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c3_0 = av.fma(b0, c3_0);
            c3_1 = av.fma(b1, c3_1);
            av = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c4_0 = av.fma(b0, c4_0);
            c4_1 = av.fma(b1, c4_1);
            av = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c5_0 = av.fma(b0, c5_0);
            c5_1 = av.fma(b1, c5_1);
            av = FloatVector.broadcast(SPECIES, a[a6 + p]);
            c6_0 = av.fma(b0, c6_0);
            c6_1 = av.fma(b1, c6_1);
            av = FloatVector.broadcast(SPECIES, a[a7 + p]);
            c7_0 = av.fma(b0, c7_0);
            c7_1 = av.fma(b1, c7_1);
            av = FloatVector.broadcast(SPECIES, a[a8 + p]);
            c8_0 = av.fma(b0, c8_0);
            c8_1 = av.fma(b1, c8_1);
            av = FloatVector.broadcast(SPECIES, a[a9 + p]);
            c9_0 = av.fma(b0, c9_0);
            c9_1 = av.fma(b1, c9_1);
            av = FloatVector.broadcast(SPECIES, a[a10 + p]);
            c10_0 = av.fma(b0, c10_0);
            c10_1 = av.fma(b1, c10_1);
            av = FloatVector.broadcast(SPECIES, a[a11 + p]);
            c11_0 = av.fma(b0, c11_0);
            c11_1 = av.fma(b1, c11_1);
            av = FloatVector.broadcast(SPECIES, a[a12 + p]);
            c12_0 = av.fma(b0, c12_0);
            c12_1 = av.fma(b1, c12_1);
            av = FloatVector.broadcast(SPECIES, a[a13 + p]);
            c13_0 = av.fma(b0, c13_0);
            c13_1 = av.fma(b1, c13_1);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, 1 * V);
        c1_0.intoArray(t, 2 * V);
        c1_1.intoArray(t, 3 * V);
        c2_0.intoArray(t, 4 * V);
        c2_1.intoArray(t, 5 * V);
        c3_0.intoArray(t, 6 * V);
        c3_1.intoArray(t, 7 * V);
        c4_0.intoArray(t, 8 * V);
        c4_1.intoArray(t, 9 * V);
        c5_0.intoArray(t, 10 * V);
        c5_1.intoArray(t, 11 * V);
        c6_0.intoArray(t, 12 * V);
        c6_1.intoArray(t, 13 * V);
        c7_0.intoArray(t, 14 * V);
        c7_1.intoArray(t, 15 * V);
        c8_0.intoArray(t, 16 * V);
        c8_1.intoArray(t, 17 * V);
        c9_0.intoArray(t, 18 * V);
        c9_1.intoArray(t, 19 * V);
        c10_0.intoArray(t, 20 * V);
        c10_1.intoArray(t, 21 * V);
        c11_0.intoArray(t, 22 * V);
        c11_1.intoArray(t, 23 * V);
        c12_0.intoArray(t, 24 * V);
        c12_1.intoArray(t, 25 * V);
        c13_0.intoArray(t, 26 * V);
        c13_1.intoArray(t, 27 * V);
    }

    private static void packed6x4(float[] ap, int ao, float[] bp, int bo, int kc, float[] t) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0_0 = z, c0_1 = z, c0_2 = z, c0_3 = z, c1_0 = z, c1_1 = z, c1_2 = z, c1_3 = z;
        FloatVector c2_0 = z, c2_1 = z, c2_2 = z, c2_3 = z, c3_0 = z, c3_1 = z, c3_2 = z, c3_3 = z;
        FloatVector c4_0 = z, c4_1 = z, c4_2 = z, c4_3 = z, c5_0 = z, c5_1 = z, c5_2 = z, c5_3 = z;
        for (int p = 0, ai = ao, bi = bo; p < kc; p++, ai += 6, bi += 4 * V) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bp, bi + 2 * V);
            FloatVector b3 = FloatVector.fromArray(SPECIES, bp, bi + 3 * V);
            FloatVector av = FloatVector.broadcast(SPECIES, ap[ai]);
            c0_0 = av.fma(b0, c0_0);
            c0_1 = av.fma(b1, c0_1);
            c0_2 = av.fma(b2, c0_2);
            c0_3 = av.fma(b3, c0_3);
            av = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c1_0 = av.fma(b0, c1_0);
            c1_1 = av.fma(b1, c1_1);
            c1_2 = av.fma(b2, c1_2);
            c1_3 = av.fma(b3, c1_3);
            av = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c2_0 = av.fma(b0, c2_0);
            c2_1 = av.fma(b1, c2_1);
            c2_2 = av.fma(b2, c2_2);
            c2_3 = av.fma(b3, c2_3);
            av = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c3_0 = av.fma(b0, c3_0);
            c3_1 = av.fma(b1, c3_1);
            c3_2 = av.fma(b2, c3_2);
            c3_3 = av.fma(b3, c3_3);
            av = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c4_0 = av.fma(b0, c4_0);
            c4_1 = av.fma(b1, c4_1);
            c4_2 = av.fma(b2, c4_2);
            c4_3 = av.fma(b3, c4_3);
            av = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c5_0 = av.fma(b0, c5_0);
            c5_1 = av.fma(b1, c5_1);
            c5_2 = av.fma(b2, c5_2);
            c5_3 = av.fma(b3, c5_3);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, 1 * V);
        c0_2.intoArray(t, 2 * V);
        c0_3.intoArray(t, 3 * V);
        c1_0.intoArray(t, 4 * V);
        c1_1.intoArray(t, 5 * V);
        c1_2.intoArray(t, 6 * V);
        c1_3.intoArray(t, 7 * V);
        c2_0.intoArray(t, 8 * V);
        c2_1.intoArray(t, 9 * V);
        c2_2.intoArray(t, 10 * V);
        c2_3.intoArray(t, 11 * V);
        c3_0.intoArray(t, 12 * V);
        c3_1.intoArray(t, 13 * V);
        c3_2.intoArray(t, 14 * V);
        c3_3.intoArray(t, 15 * V);
        c4_0.intoArray(t, 16 * V);
        c4_1.intoArray(t, 17 * V);
        c4_2.intoArray(t, 18 * V);
        c4_3.intoArray(t, 19 * V);
        c5_0.intoArray(t, 20 * V);
        c5_1.intoArray(t, 21 * V);
        c5_2.intoArray(t, 22 * V);
        c5_3.intoArray(t, 23 * V);
    }

    private static void rowMajorA6x4(float[] a, int a0, int lda, float[] bp, int bo, int kc, float[] t) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0_0 = z, c0_1 = z, c0_2 = z, c0_3 = z, c1_0 = z, c1_1 = z, c1_2 = z, c1_3 = z;
        FloatVector c2_0 = z, c2_1 = z, c2_2 = z, c2_3 = z, c3_0 = z, c3_1 = z, c3_2 = z, c3_3 = z;
        FloatVector c4_0 = z, c4_1 = z, c4_2 = z, c4_3 = z, c5_0 = z, c5_1 = z, c5_2 = z, c5_3 = z;
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int p = 0, bi = bo; p < kc; p++, bi += 4 * V) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bp, bi + 2 * V);
            FloatVector b3 = FloatVector.fromArray(SPECIES, bp, bi + 3 * V);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c0_0 = av.fma(b0, c0_0);
            c0_1 = av.fma(b1, c0_1);
            c0_2 = av.fma(b2, c0_2);
            c0_3 = av.fma(b3, c0_3);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c1_0 = av.fma(b0, c1_0);
            c1_1 = av.fma(b1, c1_1);
            c1_2 = av.fma(b2, c1_2);
            c1_3 = av.fma(b3, c1_3);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c2_0 = av.fma(b0, c2_0);
            c2_1 = av.fma(b1, c2_1);
            c2_2 = av.fma(b2, c2_2);
            c2_3 = av.fma(b3, c2_3);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c3_0 = av.fma(b0, c3_0);
            c3_1 = av.fma(b1, c3_1);
            c3_2 = av.fma(b2, c3_2);
            c3_3 = av.fma(b3, c3_3);
            av = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c4_0 = av.fma(b0, c4_0);
            c4_1 = av.fma(b1, c4_1);
            c4_2 = av.fma(b2, c4_2);
            c4_3 = av.fma(b3, c4_3);
            av = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c5_0 = av.fma(b0, c5_0);
            c5_1 = av.fma(b1, c5_1);
            c5_2 = av.fma(b2, c5_2);
            c5_3 = av.fma(b3, c5_3);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, 1 * V);
        c0_2.intoArray(t, 2 * V);
        c0_3.intoArray(t, 3 * V);
        c1_0.intoArray(t, 4 * V);
        c1_1.intoArray(t, 5 * V);
        c1_2.intoArray(t, 6 * V);
        c1_3.intoArray(t, 7 * V);
        c2_0.intoArray(t, 8 * V);
        c2_1.intoArray(t, 9 * V);
        c2_2.intoArray(t, 10 * V);
        c2_3.intoArray(t, 11 * V);
        c3_0.intoArray(t, 12 * V);
        c3_1.intoArray(t, 13 * V);
        c3_2.intoArray(t, 14 * V);
        c3_3.intoArray(t, 15 * V);
        c4_0.intoArray(t, 16 * V);
        c4_1.intoArray(t, 17 * V);
        c4_2.intoArray(t, 18 * V);
        c4_3.intoArray(t, 19 * V);
        c5_0.intoArray(t, 20 * V);
        c5_1.intoArray(t, 21 * V);
        c5_2.intoArray(t, 22 * V);
        c5_3.intoArray(t, 23 * V);
    }
}
