package org.transformer4j.cpu.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner kernel of {@link Sgemm}: one {@link #MR} x {@link #NR} tile of C from an
 * {@code MR x kc} packed panel of A and a {@code kc x NR} packed panel of B.
 *
 * <p>The tile lives in {@code MR * 2} vector registers for the whole {@code kc} loop: each step loads
 * two vectors of B and multiplies them by {@code MR} broadcast values of A (fused multiply-add). The
 * loop has no masks and no edge cases, because the packing pads panels with zeros; only the final
 * write to C differs for a tile that sticks out of C (it goes through a scratch tile and a scalar loop,
 * with the same arithmetic, so every element of C is computed the same way wherever it lies).
 */
final class SgemmMicroKernel {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector register. */
    static final int V = SPECIES.length();
    /** Rows of C per tile (broadcast values of A per step). */
    static final int MR = 6;
    /** Columns of C per tile (two vectors). */
    static final int NR = 2 * V;

    private SgemmMicroKernel() {}

    /**
     * {@code C[0..rows, 0..cols] = alpha * (Apanel x Bpanel) + beta * C}, where C starts at {@code c[co]}
     * with row stride {@code ldc}. {@code beta == 0} does not read C. {@code tile} is scratch of at least
     * {@code MR * NR} floats, used only when {@code rows < MR} or {@code cols < NR}.
     */
    static void tile(float[] ap, int ao, float[] bp, int bo, int kc,
                     float[] c, int co, int ldc, int rows, int cols,
                     float alpha, float beta, float[] tile) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector a = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        if (rows == MR && cols == NR) {
            update(c, co, c00, c01, alpha, beta);
            update(c, co + ldc, c10, c11, alpha, beta);
            update(c, co + 2 * ldc, c20, c21, alpha, beta);
            update(c, co + 3 * ldc, c30, c31, alpha, beta);
            update(c, co + 4 * ldc, c40, c41, alpha, beta);
            update(c, co + 5 * ldc, c50, c51, alpha, beta);
        } else {
            c00.intoArray(tile, 0);
            c01.intoArray(tile, V);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + V);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + V);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + V);
            c40.intoArray(tile, 4 * NR);
            c41.intoArray(tile, 4 * NR + V);
            c50.intoArray(tile, 5 * NR);
            c51.intoArray(tile, 5 * NR + V);
            updateEdge(c, co, ldc, rows, cols, alpha, beta, tile);
        }
    }


    /** One full row of a tile: the same arithmetic as {@link #updateEdge}, lane by lane. */
    private static void update(float[] c, int o, FloatVector x0, FloatVector x1, float alpha, float beta) {
        if (alpha != 1f) {
            x0 = x0.mul(alpha);
            x1 = x1.mul(alpha);
        }
        if (beta != 0f) {
            FloatVector y0 = FloatVector.fromArray(SPECIES, c, o);
            FloatVector y1 = FloatVector.fromArray(SPECIES, c, o + V);
            if (beta != 1f) {
                y0 = y0.mul(beta);
                y1 = y1.mul(beta);
            }
            x0 = x0.add(y0);
            x1 = x1.add(y1);
        }
        x0.intoArray(c, o);
        x1.intoArray(c, o + V);
    }

    /** The part of a tile that lies inside C, element by element (rounding as in {@link #update}). */
    private static void updateEdge(float[] c, int co, int ldc, int rows, int cols,
                                   float alpha, float beta, float[] tile) {
        for (int r = 0; r < rows; r++) {
            int o = co + r * ldc;
            int t = r * NR;
            for (int j = 0; j < cols; j++) {
                float x = tile[t + j];
                if (alpha != 1f) {
                    x = x * alpha;
                }
                if (beta != 0f) {
                    float y = c[o + j];
                    if (beta != 1f) {
                        y = y * beta;
                    }
                    x = x + y;
                }
                c[o + j] = x;
            }
        }
    }
}
