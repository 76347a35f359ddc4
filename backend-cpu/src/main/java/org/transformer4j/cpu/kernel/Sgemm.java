package org.transformer4j.cpu.kernel;

import java.util.Objects;

/**
 * Single-precision general matrix multiply on row-major arrays, the BLAS {@code sgemm} of the CPU
 * backend: every linear layer and its gradients go through it.
 *
 * <p>Design after GotoBLAS/BLIS: op(B) is copied in blocks of {@code kc x nc} and op(A) in blocks of
 * {@code mc x kc} into per-thread packed buffers (so transposes cost one copy, and the kernel reads
 * memory contiguously), and a register-blocked {@link SgemmMicroKernel} computes
 * {@code mr x nr} tiles of C with vector fused multiply-adds. The tile shape and the block sizes are a
 * {@link SgemmTile}, chosen once per JVM for the machine's vector width and register count (see {@link #tile()}). A row-major A is read in place instead of
 * packed when C is narrow (up to {@link #A_IN_PLACE_MAX_N} columns per thread; copied row by row to a wider
 * stride first where its rows would crowd one L1 set, see {@code SgemmPacking.rowsAlias}), and a one-row C
 * ({@code m == 1}, one-token decoding), or one of up to {@code SgemmRowVector.MAX_ROWS} rows with B stored
 * {@code n x k} (a linear layer decoding a small batch), is computed as vector-matrix products that read B once in
 * place. Threads each
 * take a contiguous band of C's columns (when A is read in place: then no two threads pack the same data) or of its
 * rows, and need no synchronisation.
 *
 * <p>Results do not depend on the number of threads: every element of C is computed by the same
 * sequence of operations (same k blocks, same order, same lane arithmetic) whichever thread, path and
 * tile computes it, so 1 and N threads give bit-identical results. (They may differ in the last bits
 * between a one-row product and the same row inside a taller one.)
 */
public final class Sgemm {
    /** The tile every call uses: the machine's preferred one, or the one system property {@value SgemmTile#PROPERTY} names. */
    static final SgemmTile TILE = SgemmTile.preferred();
    /** Widest band of C (columns per thread) for which a row-major A is read in place, not packed. */
    static final int A_IN_PLACE_MAX_N = 512;
    /** Least column panels (of NR columns) per thread for a split by columns; see splitColumns. */
    static final int MIN_PANELS_PER_THREAD = 4;
    /** Below this many multiply-adds ({@code m*n*k}) a call runs on one thread. */
    static final long PARALLEL_MIN_WORK = 64L * 64 * 64;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Sgemm() {}

    /**
     * The micro-kernel tile this JVM uses, as {@code ROWSxVECTORSxLANES} (e.g. {@code 8x3x16}: 8 rows of C by 3
     * vectors of 16 floats), for benchmark reports.
     */
    public static String tile() {
        return TILE.label() + "x" + SgemmMicroKernel.V;
    }

    /**
     * Row-major {@code C[m x n] = alpha * op(A) * op(B) + beta * C}; op(A) is {@code m x k}
     * (A stored {@code k x m} when {@code transA}), op(B) is {@code k x n} (B stored {@code n x k}
     * when {@code transB}). Element {@code (i, j)} of a matrix X stored with offset {@code xOff} and
     * leading dimension {@code ldx} is {@code x[xOff + i*ldx + j]}.
     *
     * <p>BLAS semantics: {@code beta == 0} means C is not read (NaN or garbage in C does not
     * propagate); {@code k == 0} or {@code alpha == 0} scales C by beta without reading A or B;
     * {@code m == 0} or {@code n == 0} does nothing.
     *
     * @throws IllegalArgumentException for a negative size or offset, a leading dimension smaller than
     *     the stored width, or an array too short for its offset, leading dimension and shape
     * @throws NullPointerException if an array is null
     */
    public static void sgemm(Parallelism par, boolean transA, boolean transB, int m, int n, int k,
                             float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        sgemm(TILE, par, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** {@link #sgemm(Parallelism, boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)} with a given tile (tests run every tile). */
    static void sgemm(SgemmTile tile, Parallelism par, boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        Objects.requireNonNull(tile, "tile");
        Objects.requireNonNull(par, "par");
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(
                    "sgemm sizes must be >= 0, were m=" + m + ", n=" + n + ", k=" + k);
        }
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k, transA);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n, transB);
        checkMatrix("C", c, cOff, ldc, m, n, false);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(c, cOff, ldc, m, n, beta);
            return;
        }
        long work = (long) m * n * k;
        int threads = work < PARALLEL_MIN_WORK ? 1 : par.threads();
        if (m == 1 || (transB && m <= SgemmRowVector.MAX_ROWS)) {
            // Vector-matrix products (decoding one token, or a few): no packing, B read once in place.
            int rowStride = transA ? 1 : lda;
            int colStride = transA ? lda : 1;
            Parallelism.RangeBody body = (from, to) -> SgemmRowVector.compute(transB, m, from, to, k, alpha,
                    a, aOff, rowStride, colStride, b, bOff, ldb, beta, c, cOff, ldc, SCRATCH.get().x(m * k),
                    SCRATCH.get().y(to - from));
            if (threads == 1) {
                body.run(0, n);
            } else {
                par.forRange(n, tile.nr, body);
            }
        } else if (threads == 1) {
            compute(tile, transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else if (!splitColumns(tile, transA, m, n, threads)) {
            par.forRange(m, tile.mr, (from, to) -> compute(tile, transA, transB, from, to, 0, n, k,
                    alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
        } else {
            par.forRange(n, tile.nr, (from, to) -> compute(tile, transA, transB, 0, m, from, to, k,
                    alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
        }
    }

    /**
     * Whether threads take bands of C's columns rather than of its rows. With bands of rows every thread packs all of
     * op(B); with bands of columns each packs only its share of B and reads a row-major A in place, so that split
     * copies nothing twice. It is taken when A is not transposed and each thread gets at least
     * {@link #MIN_PANELS_PER_THREAD} column panels (fewer would leave the threads unevenly loaded); otherwise C is
     * split along its longer side, in tiles.
     */
    private static boolean splitColumns(SgemmTile tile, boolean transA, int m, int n, int threads) {
        int panels = (n + tile.nr - 1) / tile.nr;
        if (!transA && panels >= MIN_PANELS_PER_THREAD * threads) {
            return true;
        }
        return (m + tile.mr - 1) / tile.mr < panels;
    }

    /** C rows {@code [m0, m1)} x columns {@code [n0, n1)}, on the calling thread. */
    private static void compute(SgemmTile tile, boolean transA, boolean transB, int m0, int m1, int n0, int n1, int k,
                                float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float beta, float[] c, int cOff, int ldc) {
        // Equal k blocks (not KC and a small remainder), the same for every thread.
        int mr = tile.mr, nr = tile.nr, mcBlock = tile.mc, ncBlock = tile.nc;
        int kBlocks = (k + tile.kc - 1) / tile.kc;
        int kcMax = (k + kBlocks - 1) / kBlocks;
        // A row-major A is read in place when C is narrow: each A panel then serves only a few B panels,
        // too few to pay for packing it. (Every element is computed the same way on either path.)
        boolean aInPlace = !transA && n1 - n0 <= A_IN_PLACE_MAX_N;
        // Read in place, mr rows lda apart can fall into one L1 set (lda a multiple of 1024 floats puts all of
        // them in one): then the block of A is first copied, row by row, to a stride that spreads them.
        boolean aCopy = aInPlace && SgemmPacking.rowsAlias(lda, mr);
        Scratch s = SCRATCH.get();
        int ncMax = Math.min(ncBlock, roundUp(n1 - n0, nr));
        int mcMax = Math.min(mcBlock, roundUp(m1 - m0, mr));
        int ldCopy = aCopy ? SgemmPacking.copyStride(kcMax, mr) : 0;
        float[] packedA = s.a(aCopy ? mcMax * ldCopy : mcMax * kcMax);
        float[] packedB = s.b(ncMax * kcMax);
        float[] scratchTile = s.tile;
        for (int jc = n0; jc < n1; jc += ncBlock) {
            int nc = Math.min(ncBlock, n1 - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                float betaHere = pc == 0 ? beta : 1f;
                SgemmPacking.packB(tile, transB, b, bOff, ldb, pc, kc, jc, nc, packedB);
                for (int ic = m0; ic < m1; ic += mcBlock) {
                    int mc = Math.min(mcBlock, m1 - ic);
                    // Where the row-major kernel reads A: in place, or the block's copy (rows zero-padded to a
                    // multiple of mr); otherwise, from packFrom on, packed panels (with A in place only a last
                    // partial panel is packed, zero-padded, at the panel's usual position).
                    float[] ar = a;
                    int arOff = aOff + ic * lda + pc, ldar = lda;
                    int packFrom = aInPlace ? mc / mr * mr : 0;
                    if (aCopy) {
                        SgemmPacking.copyRows(a, arOff, lda, mc, kc, roundUp(mc, mr), packedA, ldCopy);
                        ar = packedA;
                        arOff = 0;
                        ldar = ldCopy;
                        packFrom = mc;
                    } else if (packFrom < mc) {
                        SgemmPacking.packA(tile, transA, a, aOff, lda, ic + packFrom, mc - packFrom, pc, kc,
                                packedA, packFrom / mr * kc * mr);
                    }
                    for (int jr = 0; jr < nc; jr += nr) {
                        int bo = jr * kc;
                        int cols = Math.min(nr, nc - jr);
                        int co = cOff + ic * ldc + jc + jr;
                        for (int ir = 0; ir < mc; ir += mr) {
                            int rows = Math.min(mr, mc - ir);
                            if (ir < packFrom) {
                                SgemmMicroKernel.rowMajorA(tile, ar, arOff + ir * ldar, ldar, packedB, bo,
                                        kc, c, co + ir * ldc, ldc, rows, cols, alpha, betaHere, scratchTile);
                            } else {
                                SgemmMicroKernel.packed(tile, packedA, ir * kc, packedB, bo, kc,
                                        c, co + ir * ldc, ldc, rows, cols, alpha, betaHere, scratchTile);
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code C = beta * C}; with {@code beta == 0}, C is zeroed without being read. */
    private static void scale(float[] c, int cOff, int ldc, int m, int n, float beta) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int o = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, o, o + n, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    c[o + j] = beta * c[o + j];
                }
            }
        }
    }

    /** Checks that a {@code rows x cols} stored matrix fits in {@code x} from {@code off} with stride {@code ld}. */
    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols,
                                    boolean transposed) {
        Objects.requireNonNull(x, name);
        if (off < 0) {
            throw new IllegalArgumentException("sgemm: offset of " + shape(name, rows, cols, transposed)
                    + " must be >= 0, was " + off);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("sgemm: leading dimension of " + shape(name, rows, cols, transposed)
                    + " must be >= max(1, " + cols + "), was " + ld);
        }
        if (rows > 0 && cols > 0) {
            long end = off + (long) (rows - 1) * ld + cols;
            if (end > x.length) {
                throw new IllegalArgumentException("sgemm: " + shape(name, rows, cols, transposed) + " with offset "
                        + off + " and leading dimension " + ld + " needs an array of at least " + end
                        + " floats, was " + x.length);
            }
        }
    }

    /** How an error names a matrix (built only on error: sgemm is called thousands of times per training step). */
    private static String shape(String name, int rows, int cols, boolean transposed) {
        return name + " (stored " + rows + " x " + cols + (transposed ? ", transposed" : "") + ")";
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final class Scratch {
        private float[] a = new float[0];
        private float[] b = new float[0];
        private float[] x = new float[0];
        final float[] tile = new float[SgemmMicroKernel.MAX_TILE];

        private float[] y = new float[0];

        float[] y(int size) {
            if (y.length < size) {
                y = new float[size];
            }
            return y;
        }

        float[] x(int size) {
            if (x.length < size) {
                x = new float[size];
            }
            return x;
        }

        float[] a(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] b(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }
    }
}
