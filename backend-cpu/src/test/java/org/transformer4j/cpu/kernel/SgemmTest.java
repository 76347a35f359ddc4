package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Sgemm} against a plain triple loop accumulating in double. */
class SgemmTest {
    private static Parallelism two;

    @BeforeAll
    static void startPool() {
        two = Parallelism.of(2);
    }

    @AfterAll
    static void stopPool() {
        two.close();
    }

    /** One call's operands laid out with offsets and padded leading dimensions. */
    private record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float[] c, int cOff, int ldc) {

        static Problem random(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                              int pad, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int aRows = transA ? k : m, aCols = transA ? m : k;
            int bRows = transB ? n : k, bCols = transB ? k : n;
            int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
            int aOff = pad * 3, bOff = pad * 5, cOff = pad * 7;
            float[] a = filled(aOff + aRows * lda + pad, rnd);
            float[] b = filled(bOff + bRows * ldb + pad, rnd);
            float[] c = filled(cOff + m * ldc + pad, rnd);
            return new Problem(transA, transB, m, n, k, alpha, beta, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }

        private static float[] filled(int size, SplittableRandom rnd) {
            float[] x = new float[Math.max(size, 1)];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            return x;
        }

        float opA(int i, int p) {
            return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        }

        float opB(int p, int j) {
            return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        }

        /** Runs sgemm on a copy of C and returns that copy. */
        float[] run(Parallelism par) {
            float[] out = c.clone();
            Sgemm.sgemm(par, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
            return out;
        }

        /** Runs sgemm with the given tile on a copy of C and returns that copy. */
        float[] run(SgemmTile tile, Parallelism par) {
            float[] out = c.clone();
            Sgemm.sgemm(tile, par, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
            return out;
        }

        /** Checks {@code got} element by element against the double-precision reference. */
        void check(float[] got) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double dot = 0, mag = 0;
                    for (int p = 0; p < k; p++) {
                        double x = (double) opA(i, p) * opB(p, j);
                        dot += x;
                        mag += Math.abs(x);
                    }
                    int o = cOff + i * ldc + j;
                    double cOld = beta == 0 ? 0 : (double) beta * c[o];
                    double want = alpha * dot + cOld;
                    double tol = 1e-5 * (Math.abs(alpha) * mag + Math.abs(cOld)) + 1e-30;
                    if (!(Math.abs(got[o] - want) <= tol)) {
                        fail(this + ": C(" + i + "," + j + ") = " + got[o] + ", want " + want + " +- " + tol);
                    }
                }
            }
            // Nothing outside the m x n window moves: padding between rows and around the matrix.
            for (int idx = 0; idx < c.length; idx++) {
                int rel = idx - cOff;
                boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
                if (!inside && Float.floatToRawIntBits(got[idx]) != Float.floatToRawIntBits(c[idx])) {
                    fail(this + ": element " + idx + " outside C was written");
                }
            }
        }

        @Override
        public String toString() {
            return (transA ? "T" : "N") + (transB ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k
                    + " alpha=" + alpha + " beta=" + beta + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc;
        }
    }

    static Stream<Arguments> shapes() {
        int[][] mnk = {
            {1, 1, 1}, {7, 7, 7}, {33, 33, 33}, {17, 1, 130}, {1, 17, 130}, {130, 33, 7},
            {6, 16, 1}, {12, 32, 5}, {13, 65, 129}, {100, 130, 257}, {2, 300, 3},
            // Wide C: A is packed rather than read in place, and columns span two NC blocks.
            {13, 1100, 17},
            // A few rows against B stored n x k (decoding a small batch): vector-matrix products, odd rows, B rows
            // past the last group of four, k tails.
            {2, 5, 16}, {3, 37, 35}, {8, 67, 129}, {5, 1100, 18}, {9, 41, 33},
        };
        List<Arguments> out = new ArrayList<>();
        for (int[] s : mnk) {
            for (int t = 0; t < 4; t++) {
                out.add(Arguments.of(t >= 2, t % 2 == 1, s[0], s[1], s[2]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "transA={0} transB={1} {2}x{3}x{4}")
    @MethodSource("shapes")
    void matchesReferenceForAllTransposes(boolean transA, boolean transB, int m, int n, int k) {
        Problem pr = Problem.random(transA, transB, m, n, k, 1f, 0f, 0, 31L * m + 7L * n + k);
        pr.check(pr.run(Parallelism.sequential()));
    }

    @ParameterizedTest(name = "transA={0} transB={1} {2}x{3}x{4}")
    @MethodSource("shapes")
    void offsetsAndPaddedLeadingDimensions(boolean transA, boolean transB, int m, int n, int k) {
        Problem pr = Problem.random(transA, transB, m, n, k, -0.5f, 1.5f, 3, 11L * m + n + 5L * k);
        pr.check(pr.run(two));
    }

    static Stream<Arguments> tiles() {
        return Arrays.stream(SgemmTile.values()).map(Arguments::of);
    }

    /**
     * Every tile shape, whatever this machine prefers: sizes just under, at and over the tile's rows and columns and
     * its k block, every transpose, in place and packed A, 1 and 2 threads (bit-identical).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("tiles")
    void everyTileMatchesReference(SgemmTile tile) {
        int mr = tile.mr, nr = tile.nr, kc = tile.kc;
        int[][] mnk = {
            {mr, nr, 3}, {mr - 1, nr + 1, kc + 1}, {2 * mr + 1, 2 * nr - 1, 2 * kc + 3}, {1, 2 * nr + 5, 70},
            {3 * mr + 2, 33, 129}, {mr + 1, 9 * nr + 3, 17},
        };
        for (int[] s : mnk) {
            for (int t = 0; t < 4; t++) {
                Problem pr = Problem.random(t >= 2, t % 2 == 1, s[0], s[1], s[2], 1f, t == 1 ? 0.5f : 0f, t,
                        13L * s[0] + s[1] + t);
                float[] one = pr.run(tile, Parallelism.sequential());
                pr.check(one);
                assertArrayEquals(one, pr.run(tile, two), () -> tile + " " + pr + ": 1 vs 2 threads");
            }
        }
        // A wide C: A packed (not read in place) and several column blocks.
        Problem wide = Problem.random(false, false, mr + 3, tile.nc + nr + 7, 20, 1f, 0f, 1, 77);
        wide.check(wide.run(tile, two));
    }

    /**
     * Up to SgemmRowVector.MAX_ROWS rows with B stored n x k: each row of C bit-identical to that row computed alone
     * (a one-row product), and to the same call on two threads.
     */
    @Test
    void fewRowProductsMatchOneRowProductsBitForBit() {
        for (int m = 2; m <= SgemmRowVector.MAX_ROWS; m++) {
            for (boolean transA : new boolean[] {false, true}) {
                Problem pr = Problem.random(transA, true, m, 2 * 64 + 7, 771, 0.75f, 0.5f, 2, 100L + m);
                float[] got = pr.run(Parallelism.sequential());
                pr.check(got);
                assertArrayEquals(got, pr.run(two), pr + ": 1 vs 2 threads");
                for (int i = 0; i < m; i++) {
                    float[] row = pr.c.clone();
                    int aOff = transA ? pr.aOff + i : pr.aOff + i * pr.lda;
                    Sgemm.sgemm(Parallelism.sequential(), transA, true, 1, pr.n, pr.k, pr.alpha, pr.a, aOff, pr.lda,
                            pr.b, pr.bOff, pr.ldb, pr.beta, row, pr.cOff + i * pr.ldc, pr.ldc);
                    int o = pr.cOff + i * pr.ldc;
                    assertArrayEquals(Arrays.copyOfRange(row, o, o + pr.n), Arrays.copyOfRange(got, o, o + pr.n),
                            pr + ": row " + i);
                }
            }
        }
    }

    @Test
    void preferredTileFollowsTheVectorWidthAndArchitecture() {
        assertEquals(SgemmTile.T4X2, SgemmTile.forMachine(8, "amd64"), "AVX2: 16 registers");
        assertEquals(SgemmTile.T14X2, SgemmTile.forMachine(16, "amd64"), "AVX-512: 32 registers");
        assertEquals(SgemmTile.T14X2, SgemmTile.forMachine(4, "aarch64"), "NEON: 32 registers");
        assertEquals(SgemmTile.T8X3, SgemmTile.parse("8x3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SgemmTile.parse("5x5"));
        assertTrue(e.getMessage().contains("4x2, 6x2, 8x3, 14x2, 6x4"), e.getMessage());
    }

    @Test
    void alphaAndBetaCombinations() {
        float[][] ab = {{1, 0}, {1, 1}, {2, 0}, {0.5f, -1}, {-1, 0.25f}, {1, 3}};
        for (float[] x : ab) {
            for (int t = 0; t < 4; t++) {
                Problem pr = Problem.random(t >= 2, t % 2 == 1, 29, 37, 300, x[0], x[1], 2, 99);
                pr.check(pr.run(two));
            }
        }
    }

    @Test
    void betaZeroDoesNotReadC() {
        for (int t = 0; t < 4; t++) {
            Problem pr = Problem.random(t >= 2, t % 2 == 1, 19, 45, 70, 1.25f, 0f, 1, 5);
            float[] out = pr.c.clone();
            for (int i = 0; i < pr.m; i++) {
                Arrays.fill(out, pr.cOff + i * pr.ldc, pr.cOff + i * pr.ldc + pr.n, Float.NaN);
            }
            Sgemm.sgemm(two, pr.transA, pr.transB, pr.m, pr.n, pr.k, pr.alpha, pr.a, pr.aOff, pr.lda,
                    pr.b, pr.bOff, pr.ldb, 0f, out, pr.cOff, pr.ldc);
            pr.check(out);
        }
    }

    @Test
    void kZeroScalesCByBetaAndAlphaZeroIgnoresAAndB() {
        float[] a = {Float.NaN, Float.NaN};
        float[] b = {Float.NaN, Float.NaN};
        float[] c = {1, 2, 3, 4, 5, 6};
        Sgemm.sgemm(two, false, false, 2, 3, 0, 1f, a, 0, 1, b, 0, 3, 2f, c, 0, 3);
        assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, c);
        Sgemm.sgemm(two, false, false, 2, 3, 0, 1f, a, 0, 1, b, 0, 3, 1f, c, 0, 3);
        assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, c);
        float[] nan = {Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        Sgemm.sgemm(two, false, false, 2, 3, 0, 1f, a, 0, 1, b, 0, 3, 0f, nan, 0, 3);
        assertArrayEquals(new float[6], nan);
        // alpha == 0: A and B are not read (BLAS), so their NaNs do not reach C.
        float[] c2 = {1, 2, 3, 4, 5, 6};
        float[] a2 = new float[4];
        float[] b2 = new float[6];
        Arrays.fill(a2, Float.NaN);
        Arrays.fill(b2, Float.NaN);
        Sgemm.sgemm(two, false, false, 2, 3, 2, 0f, a2, 0, 2, b2, 0, 3, -1f, c2, 0, 3);
        assertArrayEquals(new float[] {-1, -2, -3, -4, -5, -6}, c2);
    }

    @Test
    void emptyOutputDoesNothing() {
        float[] c = {7};
        Sgemm.sgemm(two, false, false, 0, 1, 5, 1f, new float[0], 0, 5, new float[5], 0, 1, 0f, c, 0, 1);
        Sgemm.sgemm(two, false, false, 1, 0, 5, 1f, new float[5], 0, 5, new float[0], 0, 1, 0f, c, 0, 1);
        assertEquals(7f, c[0]);
    }

    @Test
    void handComputedProduct() {
        // [1 2 3; 4 5 6] x [7 8; 9 10; 11 12] = [58 64; 139 154]
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] b = {7, 8, 9, 10, 11, 12};
        float[] c = new float[4];
        Sgemm.sgemm(Parallelism.sequential(), false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[] {58, 64, 139, 154}, c);
        // Same with both operands stored transposed: A^T is 3 x 2, B^T is 2 x 3.
        float[] at = {1, 4, 2, 5, 3, 6};
        float[] bt = {7, 9, 11, 8, 10, 12};
        float[] c2 = new float[4];
        Sgemm.sgemm(Parallelism.sequential(), true, true, 2, 2, 3, 1f, at, 0, 2, bt, 0, 3, 0f, c2, 0, 2);
        assertArrayEquals(new float[] {58, 64, 139, 154}, c2);
    }

    @Test
    void trainingShapesMatchReferenceAndAreBitIdenticalAcrossThreadCounts() {
        assertTrue(301L * 900 >= Sgemm.PARALLEL_MIN_WORK, "the one-row cases below must run on several threads");
        // Linear forward Y = X W^T, input gradient dX += dY W, weight gradient dW += dY^T X
        // (batch x time = 96 here to keep the reference loop quick; the kernel paths are the same).
        Problem[] problems = {
            Problem.random(false, true, 96, 384, 128, 1f, 0f, 0, 1),
            Problem.random(false, false, 96, 128, 384, 1f, 1f, 0, 2),
            Problem.random(true, false, 384, 128, 96, 1f, 1f, 0, 3),
            Problem.random(false, true, 96, 65, 512, 1f, 0f, 0, 4),
            Problem.random(false, false, 200, 300, 600, 1f, 0.5f, 1, 5),
            // Split by columns into bands wider than A_IN_PLACE_MAX_N: each thread then packs A.
            Problem.random(false, false, 20, 1100, 50, 1f, 0f, 0, 8),
            // A row-major A with rows 1024 floats apart (k 1000 + pad 24): in place its rows would share one L1
            // set, so the bands of columns copy each block of it to a stride that spreads them (30 rows: 2 whole
            // panels of 14 and a zero-padded partial one).
            Problem.random(false, false, 30, 128, 1000, 1f, 0f, 24, 9),
            // One-row C (decoding one token): the vector-matrix path, split across threads by columns.
            Problem.random(false, true, 1, 301, 900, 1f, 0f, 2, 6),
            Problem.random(true, false, 1, 301, 900, 0.5f, 2f, 2, 7),
        };
        try (Parallelism three = Parallelism.of(3)) {
            for (Problem pr : problems) {
                float[] one = pr.run(Parallelism.sequential());
                pr.check(one);
                assertArrayEquals(one, pr.run(two), () -> pr + ": 1 vs 2 threads");
                assertArrayEquals(one, pr.run(three), () -> pr + ": 1 vs 3 threads");
            }
        }
    }

    @Test
    void rowsAliasWhenMoreThanFourShareAnL1Set() {
        // set of row r = (r * ld / 16 floats per line) mod 64 sets
        assertTrue(SgemmPacking.rowsAlias(1024, 14), "1024 floats = 64 lines: every row in one set");
        assertTrue(SgemmPacking.rowsAlias(1536, 14), "96 lines: rows alternate between 2 sets, 7 each");
        assertTrue(SgemmPacking.rowsAlias(3072, 6), "192 lines: one set");
        assertFalse(SgemmPacking.rowsAlias(1536, 6), "2 sets, 3 each");
        assertFalse(SgemmPacking.rowsAlias(768, 14), "48 lines: 4 sets, at most 4 each");
        assertFalse(SgemmPacking.rowsAlias(384, 14), "24 lines: 8 sets, at most 2 each");
        assertFalse(SgemmPacking.rowsAlias(1000, 14), "62.5 lines: a different set for every row");
        for (int kc : new int[] {64, 1000, 1024, 1536}) {
            int ld = SgemmPacking.copyStride(kc, 14);
            assertTrue(ld >= kc && ld % 16 == 0 && ld < kc + 64 && !SgemmPacking.rowsAlias(ld, 14), kc + " -> " + ld);
        }
    }

    @Test
    void callsFromInsideAParallelLoopOfTheSamePoolComplete() {
        // Attention runs one sgemm per head inside a parallel loop: the inner calls must not queue
        // work for the (busy) workers of the same pool. The timeout only turns a deadlock into a failure.
        Problem[] heads = new Problem[4];
        for (int h = 0; h < heads.length; h++) {
            heads[h] = Problem.random(false, true, 64, 64, 64, 1f, 0f, 0, 100 + h);
        }
        float[][] got = new float[heads.length][];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> two.forRange(heads.length, (from, to) -> {
            for (int h = from; h < to; h++) {
                got[h] = heads[h].run(two);
            }
        }));
        for (int h = 0; h < heads.length; h++) {
            heads[h].check(got[h]);
        }
    }

    @Test
    void rejectsBadArguments() {
        float[] a = new float[12];
        float[] b = new float[12];
        float[] c = new float[12];
        Parallelism s = Parallelism.sequential();
        expectMessage(() -> Sgemm.sgemm(s, false, false, -1, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 3), "m=-1");
        expectMessage(() -> Sgemm.sgemm(s, false, false, 3, 3, -2, 1, a, 0, 4, b, 0, 3, 0, c, 0, 3), "k=-2");
        // lda too small for A (3 x 4, not transposed) and for A stored transposed (4 x 3).
        expectMessage(() -> Sgemm.sgemm(s, false, false, 3, 3, 4, 1, a, 0, 3, b, 0, 3, 0, c, 0, 3),
                "leading dimension of A (stored 3 x 4)");
        expectMessage(() -> Sgemm.sgemm(s, true, false, 3, 3, 4, 1, a, 0, 2, b, 0, 3, 0, c, 0, 3),
                "leading dimension of A (stored 4 x 3, transposed)");
        expectMessage(() -> Sgemm.sgemm(s, false, true, 3, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 3),
                "leading dimension of B (stored 3 x 4, transposed)");
        expectMessage(() -> Sgemm.sgemm(s, false, false, 3, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 2),
                "leading dimension of C");
        // Arrays too short for offset + stride: A needs 1 + 2*4 + 4 = 13 floats.
        expectMessage(() -> Sgemm.sgemm(s, false, false, 3, 3, 4, 1, a, 1, 4, b, 0, 3, 0, c, 0, 3),
                "needs an array of at least 13 floats, was 12");
        expectMessage(() -> Sgemm.sgemm(s, false, false, 3, 3, 4, 1, a, 0, 4, b, 0, 4, 0, c, 0, 3),
                "B (stored 4 x 3)");
        expectMessage(() -> Sgemm.sgemm(s, false, false, 3, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 4, 3),
                "C (stored 3 x 3)");
        expectMessage(() -> Sgemm.sgemm(s, false, false, 3, 3, 4, 1, a, -1, 4, b, 0, 3, 0, c, 0, 3),
                "offset of A");
        assertThrows(NullPointerException.class,
                () -> Sgemm.sgemm(s, false, false, 3, 3, 4, 1, null, 0, 4, b, 0, 3, 0, c, 0, 3));
    }

    private static void expectMessage(Runnable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment),
                () -> "message '" + e.getMessage() + "' should contain '" + fragment + "'");
    }
}
