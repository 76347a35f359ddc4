package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.SgemmMicroKernel.SPECIES;
import static org.transformer4j.cpu.kernel.SgemmMicroKernel.V;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Sgemm} when C is a single row ({@code m == 1}): {@code c = alpha * x * op(B) + beta * c}, a
 * vector-matrix product, as in one-token decoding. Packing B and running 6-row tiles would waste 5/6 of
 * the work; this reads B once, straight from the caller's array, which is all a product that does 2 flops
 * per element of B can do. Columns {@code [j0, j1)} of C per call, so threads can split them.
 */
final class SgemmRowVector {
    private SgemmRowVector() {}

    /**
     * Columns {@code [j0, j1)} of the one-row C; {@code x} is op(A)'s only row: element {@code p} at
     * {@code a[aOff + p * xStride]}. {@code xs} and {@code ys} are scratch of at least {@code k} and
     * {@code j1 - j0} floats.
     */
    static void compute(boolean transB, int j0, int j1, int k, float alpha, float[] a, int aOff, int xStride,
                        float[] b, int bOff, int ldb, float beta, float[] c, int cOff, float[] xs, float[] ys) {
        for (int p = 0; p < k; p++) {
            xs[p] = a[aOff + p * xStride];
        }
        if (transB) {
            dots(j0, j1, k, alpha, xs, b, bOff, ldb, beta, c, cOff);
        } else {
            axpys(j0, j1, k, alpha, xs, b, bOff, ldb, beta, c, cOff, ys);
        }
    }

    /** B stored n x k: each element of C is the dot product of x with a row of B, four rows at a time. */
    private static void dots(int j0, int j1, int k, float alpha, float[] x, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff) {
        int kv = k / V * V;
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            int r0 = bOff + j * ldb, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0; p < kv; p += V) {
                FloatVector xv = FloatVector.fromArray(SPECIES, x, p);
                s0 = xv.fma(FloatVector.fromArray(SPECIES, b, r0 + p), s0);
                s1 = xv.fma(FloatVector.fromArray(SPECIES, b, r1 + p), s1);
                s2 = xv.fma(FloatVector.fromArray(SPECIES, b, r2 + p), s2);
                s3 = xv.fma(FloatVector.fromArray(SPECIES, b, r3 + p), s3);
            }
            float d0 = s0.reduceLanes(VectorOperators.ADD), d1 = s1.reduceLanes(VectorOperators.ADD);
            float d2 = s2.reduceLanes(VectorOperators.ADD), d3 = s3.reduceLanes(VectorOperators.ADD);
            for (int p = kv; p < k; p++) {
                d0 += x[p] * b[r0 + p];
                d1 += x[p] * b[r1 + p];
                d2 += x[p] * b[r2 + p];
                d3 += x[p] * b[r3 + p];
            }
            store(c, cOff + j, d0, alpha, beta);
            store(c, cOff + j + 1, d1, alpha, beta);
            store(c, cOff + j + 2, d2, alpha, beta);
            store(c, cOff + j + 3, d3, alpha, beta);
        }
        for (; j < j1; j++) {
            int r = bOff + j * ldb;
            FloatVector s = FloatVector.zero(SPECIES);
            for (int p = 0; p < kv; p += V) {
                s = FloatVector.fromArray(SPECIES, x, p).fma(FloatVector.fromArray(SPECIES, b, r + p), s);
            }
            float d = s.reduceLanes(VectorOperators.ADD);
            for (int p = kv; p < k; p++) {
                d += x[p] * b[r + p];
            }
            store(c, cOff + j, d, alpha, beta);
        }
    }

    /**
     * B stored k x n: C's row is the sum of B's rows scaled by x. B is streamed row by row (four rows per
     * pass over the partial sums {@code y}, so y is loaded and stored once per four multiply-adds).
     */
    private static void axpys(int j0, int j1, int k, float alpha, float[] x, float[] b, int bOff, int ldb,
                              float beta, float[] c, int cOff, float[] y) {
        int w = j1 - j0;
        int wv = w / V * V;
        java.util.Arrays.fill(y, 0, w, 0f);
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            int r0 = bOff + p * ldb + j0, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
            FloatVector x0 = FloatVector.broadcast(SPECIES, x[p]);
            FloatVector x1 = FloatVector.broadcast(SPECIES, x[p + 1]);
            FloatVector x2 = FloatVector.broadcast(SPECIES, x[p + 2]);
            FloatVector x3 = FloatVector.broadcast(SPECIES, x[p + 3]);
            for (int j = 0; j < wv; j += V) {
                FloatVector s = FloatVector.fromArray(SPECIES, y, j);
                s = x0.fma(FloatVector.fromArray(SPECIES, b, r0 + j), s);
                s = x1.fma(FloatVector.fromArray(SPECIES, b, r1 + j), s);
                s = x2.fma(FloatVector.fromArray(SPECIES, b, r2 + j), s);
                s = x3.fma(FloatVector.fromArray(SPECIES, b, r3 + j), s);
                s.intoArray(y, j);
            }
            for (int j = wv; j < w; j++) {
                float s = Math.fma(x[p], b[r0 + j], y[j]);
                s = Math.fma(x[p + 1], b[r1 + j], s);
                s = Math.fma(x[p + 2], b[r2 + j], s);
                y[j] = Math.fma(x[p + 3], b[r3 + j], s);
            }
        }
        for (; p < k; p++) {
            int r = bOff + p * ldb + j0;
            FloatVector xp = FloatVector.broadcast(SPECIES, x[p]);
            for (int j = 0; j < wv; j += V) {
                FloatVector s = FloatVector.fromArray(SPECIES, y, j);
                xp.fma(FloatVector.fromArray(SPECIES, b, r + j), s).intoArray(y, j);
            }
            for (int j = wv; j < w; j++) {
                y[j] = Math.fma(x[p], b[r + j], y[j]);
            }
        }
        for (int j = 0; j < w; j++) {
            store(c, cOff + j0 + j, y[j], alpha, beta);
        }
    }

    private static void store(float[] c, int o, float d, float alpha, float beta) {
        float v = d * alpha;
        c[o] = beta == 0f ? v : v + c[o] * beta;
    }
}
