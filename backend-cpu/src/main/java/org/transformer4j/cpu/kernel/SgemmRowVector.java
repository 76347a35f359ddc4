package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.SgemmMicroKernel.SPECIES;
import static org.transformer4j.cpu.kernel.SgemmMicroKernel.V;

import jdk.incubator.vector.FloatVector;

/**
 * {@link Sgemm} when C has one row ({@code m == 1}, one-token decoding) or, with B stored {@code n x k} (a linear
 * layer's weight), up to {@link #MAX_ROWS} rows (decoding a small batch): {@code C = alpha * op(A) * op(B) + beta * C}
 * as vector-matrix products. Such a product does 2 flops per element of B per row of C, so it is bound by how fast B
 * streams from memory: packing B (a read and a write of all of it) and running tiles of 14 rows would waste most of
 * the work. This reads B once, straight from the caller's array, in order: four rows of B at a time (four sequential
 * streams the hardware prefetcher follows), each dotted with every row of op(A) (kept in L1) while the four rows are
 * in cache. Columns {@code [j0, j1)} of C per call, so threads split B by rows and each reads only its share.
 *
 * <p>Each element of C is one dot product in a fixed lane order, whatever the thread count or row count.
 */
final class SgemmRowVector {
    /** Most rows of C for which a product with B stored {@code n x k} takes this path. */
    static final int MAX_ROWS = 8;

    private SgemmRowVector() {}

    /**
     * Columns {@code [j0, j1)} of C's {@code m} rows; element {@code (i, p)} of op(A) is at
     * {@code a[aOff + i * rowStride + p * colStride]}. {@code xs} and {@code ys} are scratch of at least
     * {@code m * k} and {@code j1 - j0} floats. {@code m > 1} needs {@code transB}.
     */
    static void compute(boolean transB, int m, int j0, int j1, int k, float alpha, float[] a, int aOff, int rowStride,
                        int colStride, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
                        float[] xs, float[] ys) {
        for (int i = 0; i < m; i++) {
            int src = aOff + i * rowStride;
            int dst = i * k;
            if (colStride == 1) {
                System.arraycopy(a, src, xs, dst, k);
            } else {
                for (int p = 0; p < k; p++) {
                    xs[dst + p] = a[src + p * colStride];
                }
            }
        }
        if (transB) {
            dots(m, j0, j1, k, alpha, xs, b, bOff, ldb, beta, c, cOff, ldc);
        } else if (m == 1) {
            axpys(j0, j1, k, alpha, xs, b, bOff, ldb, beta, c, cOff, ys);
        } else {
            throw new IllegalArgumentException("SgemmRowVector: " + m + " rows need B stored n x k (transB)");
        }
    }

    /**
     * B stored n x k: element {@code (i, j)} of C is the dot product of row i of x ({@code m} rows of {@code k},
     * contiguous) with row j of B; four rows of B at a time, against two rows of x at a time (8 accumulators) and then
     * the last odd row (4 accumulators). Rows of B past the last group of four go one at a time.
     */
    private static void dots(int m, int j0, int j1, int k, float alpha, float[] x, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        int kv = k / V * V;
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            int r0 = bOff + j * ldb;
            int i = 0;
            for (; i + 2 <= m; i += 2) {
                dots4x2(x, i * k, (i + 1) * k, b, r0, ldb, k, kv, alpha, beta, c, cOff + i * ldc + j, ldc);
            }
            if (i < m) {
                dots4x1(x, i * k, b, r0, ldb, k, kv, alpha, beta, c, cOff + i * ldc + j);
            }
        }
        for (; j < j1; j++) {
            int r = bOff + j * ldb;
            for (int i = 0; i < m; i++) {
                int xo = i * k;
                FloatVector s = FloatVector.zero(SPECIES);
                for (int p = 0; p < kv; p += V) {
                    s = FloatVector.fromArray(SPECIES, x, xo + p).fma(FloatVector.fromArray(SPECIES, b, r + p), s);
                }
                float d = KernelMath.sumLanes(s);
                for (int p = kv; p < k; p++) {
                    d += x[xo + p] * b[r + p];
                }
                store(c, cOff + i * ldc + j, d, alpha, beta);
            }
        }
    }

    /** One row of x (at {@code xo}) against rows {@code r0 .. r0 + 3 ldb} of B into {@code c[co .. co + 3]}. */
    private static void dots4x1(float[] x, int xo, float[] b, int r0, int ldb, int k, int kv, float alpha, float beta,
                                float[] c, int co) {
        int r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int p = 0; p < kv; p += V) {
            FloatVector xv = FloatVector.fromArray(SPECIES, x, xo + p);
            s0 = xv.fma(FloatVector.fromArray(SPECIES, b, r0 + p), s0);
            s1 = xv.fma(FloatVector.fromArray(SPECIES, b, r1 + p), s1);
            s2 = xv.fma(FloatVector.fromArray(SPECIES, b, r2 + p), s2);
            s3 = xv.fma(FloatVector.fromArray(SPECIES, b, r3 + p), s3);
        }
        float d0 = KernelMath.sumLanes(s0), d1 = KernelMath.sumLanes(s1);
        float d2 = KernelMath.sumLanes(s2), d3 = KernelMath.sumLanes(s3);
        for (int p = kv; p < k; p++) {
            float xp = x[xo + p];
            d0 += xp * b[r0 + p];
            d1 += xp * b[r1 + p];
            d2 += xp * b[r2 + p];
            d3 += xp * b[r3 + p];
        }
        store(c, co, d0, alpha, beta);
        store(c, co + 1, d1, alpha, beta);
        store(c, co + 2, d2, alpha, beta);
        store(c, co + 3, d3, alpha, beta);
    }

    /**
     * Two rows of x (at {@code xa}, {@code xb}) against four rows of B into {@code c[co .. co + 3]} and the next row
     * of C; each element's lanes and tail are summed exactly as {@link #dots4x1} sums them.
     */
    private static void dots4x2(float[] x, int xa, int xb, float[] b, int r0, int ldb, int k, int kv, float alpha,
                                float beta, float[] c, int co, int ldc) {
        int r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int p = 0; p < kv; p += V) {
            FloatVector xv = FloatVector.fromArray(SPECIES, x, xa + p);
            FloatVector yv = FloatVector.fromArray(SPECIES, x, xb + p);
            FloatVector w0 = FloatVector.fromArray(SPECIES, b, r0 + p);
            FloatVector w1 = FloatVector.fromArray(SPECIES, b, r1 + p);
            FloatVector w2 = FloatVector.fromArray(SPECIES, b, r2 + p);
            FloatVector w3 = FloatVector.fromArray(SPECIES, b, r3 + p);
            a0 = xv.fma(w0, a0);
            a1 = xv.fma(w1, a1);
            a2 = xv.fma(w2, a2);
            a3 = xv.fma(w3, a3);
            b0 = yv.fma(w0, b0);
            b1 = yv.fma(w1, b1);
            b2 = yv.fma(w2, b2);
            b3 = yv.fma(w3, b3);
        }
        float d0 = KernelMath.sumLanes(a0), d1 = KernelMath.sumLanes(a1);
        float d2 = KernelMath.sumLanes(a2), d3 = KernelMath.sumLanes(a3);
        float e0 = KernelMath.sumLanes(b0), e1 = KernelMath.sumLanes(b1);
        float e2 = KernelMath.sumLanes(b2), e3 = KernelMath.sumLanes(b3);
        for (int p = kv; p < k; p++) {
            float xp = x[xa + p];
            float yp = x[xb + p];
            d0 += xp * b[r0 + p];
            d1 += xp * b[r1 + p];
            d2 += xp * b[r2 + p];
            d3 += xp * b[r3 + p];
            e0 += yp * b[r0 + p];
            e1 += yp * b[r1 + p];
            e2 += yp * b[r2 + p];
            e3 += yp * b[r3 + p];
        }
        store(c, co, d0, alpha, beta);
        store(c, co + 1, d1, alpha, beta);
        store(c, co + 2, d2, alpha, beta);
        store(c, co + 3, d3, alpha, beta);
        store(c, co + ldc, e0, alpha, beta);
        store(c, co + ldc + 1, e1, alpha, beta);
        store(c, co + ldc + 2, e2, alpha, beta);
        store(c, co + ldc + 3, e3, alpha, beta);
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
