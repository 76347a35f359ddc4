package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.SgemmMicroKernel.SPECIES;
import static org.transformer4j.cpu.kernel.SgemmMicroKernel.V;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Copies blocks of op(A) and op(B) into the contiguous panel layout {@link SgemmMicroKernel} reads, undoing any
 * transposition on the way and padding the last panel with zeros; panel sizes come from the {@link SgemmTile}.
 *
 * <p>A block of op(A) ({@code mc x kc}) becomes {@code ceil(mc / mr)} panels; panel {@code q} holds element
 * {@code (q*mr + r, p)} at {@code (q*kc + p)*mr + r}. A block of op(B) ({@code kc x nc}) becomes
 * {@code ceil(nc / nr)} panels; panel {@code q} holds element {@code (p, q*nr + j)} at {@code (q*kc + p)*nr + j}.
 */
final class SgemmPacking {
    /** Floats of k per pass when transposing B (one 64-byte cache line). */
    private static final int T_CHUNK = 16;

    private SgemmPacking() {}

    /**
     * Whether to transpose B with vector gathers: hardware gathers exist where vectors have 8 or more
     * float lanes (x86 AVX2/AVX-512, ARM SVE); 128-bit NEON has none, and there the scalar path is faster.
     */
    private static final boolean GATHER = V >= 8;

    /** Offsets of the nr columns of a transposed B panel: column {@code j} starts {@code j*ldb} further. */
    private static int[] gatherIndex(int nr, int ldb) {
        int[] idx = new int[nr];
        for (int i = 0; i < nr; i++) {
            idx[i] = i * ldb;
        }
        return idx;
    }

    /** Floats per cache line, and sets of an L1 data cache (64: 32 KB 8-way, 48 KB 12-way). */
    private static final int LINE_FLOATS = 16, L1_SETS = 64;
    /** Most of {@code mr} rows read side by side that may share one L1 set (half of an 8-way cache). */
    static final int MAX_ROWS_PER_SET = 4;

    /**
     * Whether {@code mr} rows {@code ld} floats apart, read side by side, crowd one L1 set: more than
     * {@link #MAX_ROWS_PER_SET} of them map to the same set (for {@code ld} a multiple of 1024 floats, all do), so
     * that they evict one another. Read in place, such an A ran 2-thread NN 1024 (each thread 512 columns) at 0.6x
     * the rate of the same product packed.
     */
    static boolean rowsAlias(int ld, int mr) {
        // pairwise (mr is at most 16): no allocation on the path of every sgemm call
        for (int r = 0; r < mr; r++) {
            long set = l1Set(r, ld);
            int sharing = 1;
            for (int q = r + 1; q < mr; q++) {
                if (l1Set(q, ld) == set && ++sharing > MAX_ROWS_PER_SET) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The L1 set of the first element of row {@code r} of a matrix {@code ld} floats per row (from a line start). */
    private static long l1Set(int r, int ld) {
        return (long) r * ld / LINE_FLOATS % L1_SETS;
    }

    /** A row stride of at least {@code kc} floats, whole cache lines, whose {@code mr} rows do not crowd an L1 set. */
    static int copyStride(int kc, int mr) {
        int ld = (kc + LINE_FLOATS - 1) / LINE_FLOATS * LINE_FLOATS;
        while (rowsAlias(ld, mr)) {
            ld += LINE_FLOATS;
        }
        return ld;
    }

    /**
     * Copies {@code rows x kc} of a row-major matrix ({@code a[aOff + i*lda + p]}) to {@code dst} with row stride
     * {@code ld}, then zeroes rows {@code [rows, paddedRows)}, so a row-major kernel can read whole tiles.
     */
    static void copyRows(float[] a, int aOff, int lda, int rows, int kc, int paddedRows, float[] dst, int ld) {
        for (int i = 0; i < rows; i++) {
            System.arraycopy(a, aOff + i * lda, dst, i * ld, kc);
        }
        for (int i = rows; i < paddedRows; i++) {
            Arrays.fill(dst, i * ld, i * ld + kc, 0f);
        }
    }

    /** Packs rows {@code [i0, i0+mc)} and columns {@code [p0, p0+kc)} of op(A) into {@code dst} from {@code dOff}. */
    static void packA(SgemmTile tile, boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      float[] dst, int dOff) {
        int mr = tile.mr;
        int full = mc / mr;
        int rest = mc - full * mr;
        if (rest > 0) {
            Arrays.fill(dst, dOff + full * kc * mr, dOff + (full + 1) * kc * mr, 0f);
        }
        if (transA) {
            // op(A)(i, p) = a[aOff + p*lda + i]: for each k, the block's rows are one contiguous run,
            // read once and dealt out to the panels (walking one panel down k instead would touch
            // kc lines lda apart, which alias in L1 for power-of-two lda).
            for (int p = 0; p < kc; p++) {
                int src = aOff + (p0 + p) * lda + i0;
                int d = dOff + p * mr;
                int q = 0;
                if (V >= mr && p * mr + V <= kc * mr) {
                    // One vector per panel: its V - mr extra lanes land in the slots of the next steps of
                    // the same panel, which those steps overwrite later (hence not near the panel's end);
                    // stop early where the extra lanes would read past the end of the array.
                    int vecPanels = Math.min(full, Math.floorDiv(a.length - V - src, mr) + 1);
                    for (; q < vecPanels; q++, src += mr, d += kc * mr) {
                        FloatVector.fromArray(SPECIES, a, src).intoArray(dst, d);
                    }
                }
                for (; q < full; q++, src += mr, d += kc * mr) {
                    System.arraycopy(a, src, dst, d, mr);
                }
                for (int r = 0; r < rest; r++) {
                    dst[d + r] = a[src + r];
                }
            }
        } else {
            // op(A)(i, p) = a[aOff + i*lda + p]: each row is contiguous along k; it is dealt out to every
            // mr-th slot of its panel.
            for (int i = 0; i < mc; i++) {
                int src = aOff + (i0 + i) * lda + p0;
                int d = dOff + i / mr * kc * mr + i % mr;
                for (int p = 0; p < kc; p++, d += mr) {
                    dst[d] = a[src + p];
                }
            }
        }
    }

    /** Packs rows {@code [p0, p0+kc)} and columns {@code [j0, j0+nc)} of op(B) into {@code dst}. */
    static void packB(SgemmTile tile, boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
                      float[] dst) {
        int nr = tile.nr;
        int[] idx = transB && GATHER ? gatherIndex(nr, ldb) : null;
        for (int q = 0, j = 0; j < nc; q++, j += nr) {
            int cols = Math.min(nr, nc - j);
            int base = q * kc * nr;
            if (cols < nr) {
                Arrays.fill(dst, base, base + kc * nr, 0f);
            }
            if (transB) {
                // op(B)(p, j) = b[bOff + j*ldb + p]: each column of the panel is contiguous along k.
                // A full panel gathers one packed row (nr columns at one k) per step.
                int src = bOff + (j0 + j) * ldb + p0;
                if (cols == nr && idx != null) {
                    for (int p = 0, d = base; p < kc; p++, d += nr) {
                        for (int v = 0; v < nr; v += V) {
                            FloatVector.fromArray(SPECIES, b, src + p, idx, v).intoArray(dst, d + v);
                        }
                    }
                    continue;
                }
                // Otherwise go through k in chunks of one cache line, so each column's line is used up
                // before the next is read (nr lines ldb apart would alias in L1 for power-of-two ldb).
                for (int pc = 0; pc < kc; pc += T_CHUNK) {
                    int pEnd = Math.min(kc, pc + T_CHUNK);
                    for (int col = 0; col < cols; col++) {
                        int s = src + col * ldb;
                        for (int p = pc; p < pEnd; p++) {
                            dst[base + p * nr + col] = b[s + p];
                        }
                    }
                }
            } else {
                // op(B)(p, j) = b[bOff + p*ldb + j]: each k step is a contiguous run of the panel's columns.
                int src = bOff + p0 * ldb + j0 + j;
                if (cols == nr) {
                    for (int p = 0, d = base; p < kc; p++, src += ldb, d += nr) {
                        for (int v = 0; v < nr; v += V) {
                            FloatVector.fromArray(SPECIES, b, src + v).intoArray(dst, d + v);
                        }
                    }
                } else {
                    for (int p = 0, d = base; p < kc; p++, src += ldb, d += nr) {
                        System.arraycopy(b, src, dst, d, cols);
                    }
                }
            }
        }
    }
}
