package org.transformer4j.cpu.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner kernels of {@link Sgemm}: one {@link #MR} x {@link #NR} tile of C from
 * {@code MR} rows of op(A) and a {@code kc x NR} packed panel of B.
 *
 * <p>The tile lives in {@code MR * 2} vector registers for the whole {@code kc} loop: each step loads
 * two vectors of B and multiplies them by {@code MR} broadcast values of A (fused multiply-add). The
 * loop has no masks and no edge cases, because the packing pads B panels with zeros (and partial A
 * panels are packed with zero rows); only the final write to C differs for a tile that sticks out of C
 * (it goes through a scratch tile and a scalar loop with the same arithmetic, so every element of C is
 * computed the same way wherever it lies). 6 x 2 vectors use 12 accumulators + 2 B + 1 A = 15 of the
 * 16 AVX2 registers, which is what HotSpot gives us on a machine without AVX-512.
 *
 * <p>The two kernels differ only in where the broadcast A values come from: a packed panel, or the
 * caller's row-major A in place ({@code MR} rows read side by side). Reading A in place saves packing
 * it, which matters when C has few columns (each A panel is then used only a few times per pack); a
 * transposed A is always packed, because reading it in place walks down {@code kc} rows {@code lda}
 * apart, which thrashes L1 for power-of-two {@code lda}. The kernels are written out in full because
 * the accumulators must be locals for the JIT to keep them in registers.
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
     * A from a packed panel ({@code ap[ao + p*MR + r]} is op(A)(r, p)):
     * {@code C[0..rows, 0..cols] = alpha * (A x Bpanel) + beta * C}, where C starts at {@code c[co]}
     * with row stride {@code ldc} and the B panel at {@code bp[bo]}. {@code beta == 0} does not read C.
     * {@code tile} is scratch of at least {@code MR * NR} floats, used only when {@code rows < MR} or
     * {@code cols < NR}.
     */
    static void packed(float[] ap, int ao, float[] bp, int bo, int kc,
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
            FloatVector av = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        if (rows == MR && cols == NR) {
            // Written out here, not in a helper taking vectors: if the JIT did not inline such a
            // helper, the accumulators would be boxed on every tile. Same rounding as updateEdge.
            int o = co;
            if (beta == 0f) {
                c00.mul(alpha).intoArray(c, o);
                c01.mul(alpha).intoArray(c, o + V);
                o += ldc;
                c10.mul(alpha).intoArray(c, o);
                c11.mul(alpha).intoArray(c, o + V);
                o += ldc;
                c20.mul(alpha).intoArray(c, o);
                c21.mul(alpha).intoArray(c, o + V);
                o += ldc;
                c30.mul(alpha).intoArray(c, o);
                c31.mul(alpha).intoArray(c, o + V);
                o += ldc;
                c40.mul(alpha).intoArray(c, o);
                c41.mul(alpha).intoArray(c, o + V);
                o += ldc;
                c50.mul(alpha).intoArray(c, o);
                c51.mul(alpha).intoArray(c, o + V);
            } else {
                c00.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c01.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
                o += ldc;
                c10.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c11.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
                o += ldc;
                c20.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c21.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
                o += ldc;
                c30.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c31.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
                o += ldc;
                c40.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c41.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
                o += ldc;
                c50.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c51.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
            }
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

    /**
     * A read in place, row-major ({@code a[a0 + r*lda + p]} is op(A)(r, p)); all MR rows must exist:
     * {@code C[0..rows, 0..cols] = alpha * (A x Bpanel) + beta * C}, where C starts at {@code c[co]}
     * with row stride {@code ldc} and the B panel at {@code bp[bo]}. {@code beta == 0} does not read C.
     * {@code tile} is scratch of at least {@code MR * NR} floats, used only when {@code rows < MR} or
     * {@code cols < NR}.
     */
    static void rowMajorA(float[] a, int a0, int lda, float[] bp, int bo, int kc,
                          float[] c, int co, int ldc, int rows, int cols,
                          float alpha, float beta, float[] tile) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + V);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        if (rows == MR && cols == NR) {
            // Written out here, not in a helper taking vectors: if the JIT did not inline such a
            // helper, the accumulators would be boxed on every tile. Same rounding as updateEdge.
            int o = co;
            if (beta == 0f) {
                c00.mul(alpha).intoArray(c, o);
                c01.mul(alpha).intoArray(c, o + V);
                o += ldc;
                c10.mul(alpha).intoArray(c, o);
                c11.mul(alpha).intoArray(c, o + V);
                o += ldc;
                c20.mul(alpha).intoArray(c, o);
                c21.mul(alpha).intoArray(c, o + V);
                o += ldc;
                c30.mul(alpha).intoArray(c, o);
                c31.mul(alpha).intoArray(c, o + V);
                o += ldc;
                c40.mul(alpha).intoArray(c, o);
                c41.mul(alpha).intoArray(c, o + V);
                o += ldc;
                c50.mul(alpha).intoArray(c, o);
                c51.mul(alpha).intoArray(c, o + V);
            } else {
                c00.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c01.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
                o += ldc;
                c10.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c11.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
                o += ldc;
                c20.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c21.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
                o += ldc;
                c30.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c31.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
                o += ldc;
                c40.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c41.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
                o += ldc;
                c50.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o).mul(beta)).intoArray(c, o);
                c51.mul(alpha).add(FloatVector.fromArray(SPECIES, c, o + V).mul(beta)).intoArray(c, o + V);
            }
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

    /** The part of a tile that lies inside C, element by element, rounded as the full-tile write. */
    private static void updateEdge(float[] c, int co, int ldc, int rows, int cols,
                                   float alpha, float beta, float[] tile) {
        for (int r = 0; r < rows; r++) {
            int o = co + r * ldc;
            int t = r * NR;
            for (int j = 0; j < cols; j++) {
                float x = tile[t + j] * alpha;
                c[o + j] = beta == 0f ? x : x + c[o + j] * beta;
            }
        }
    }
}
