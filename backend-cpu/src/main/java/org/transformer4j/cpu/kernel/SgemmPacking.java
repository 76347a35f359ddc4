package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.SgemmMicroKernel.MR;
import static org.transformer4j.cpu.kernel.SgemmMicroKernel.NR;
import static org.transformer4j.cpu.kernel.SgemmMicroKernel.SPECIES;
import static org.transformer4j.cpu.kernel.SgemmMicroKernel.V;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Copies blocks of op(A) and op(B) into the contiguous panel layout {@link SgemmMicroKernel} reads,
 * undoing any transposition on the way and padding the last panel with zeros.
 *
 * <p>A block of op(A) ({@code mc x kc}) becomes {@code ceil(mc / MR)} panels; panel {@code q} holds
 * element {@code (q*MR + r, p)} at {@code (q*kc + p)*MR + r}. A block of op(B) ({@code kc x nc}) becomes
 * {@code ceil(nc / NR)} panels; panel {@code q} holds element {@code (p, q*NR + j)} at
 * {@code (q*kc + p)*NR + j}. The A copies are unrolled for {@code MR == 6}, the kernel's row count.
 */
final class SgemmPacking {
    /** Floats of k per pass when transposing B (one 64-byte cache line). */
    private static final int T_CHUNK = 16;

    static {
        if (MR != 6) {
            throw new AssertionError("SgemmPacking's A copies are written for 6-row panels, MR is " + MR);
        }
    }

    private SgemmPacking() {}

    /**
     * Whether to transpose B with vector gathers: hardware gathers exist where vectors have 8 or more
     * float lanes (x86 AVX2/AVX-512, ARM SVE); 128-bit NEON has none, and there the scalar path is faster.
     */
    private static final boolean GATHER = V >= 8;

    /** Offsets of the NR columns of a transposed B panel: column {@code j} starts {@code j*ldb} further. */
    private static int[] gatherIndex(int ldb) {
        int[] idx = new int[NR];
        for (int i = 0; i < NR; i++) {
            idx[i] = i * ldb;
        }
        return idx;
    }

    /** Packs rows {@code [i0, i0+mc)} and columns {@code [p0, p0+kc)} of op(A) into {@code dst} from {@code dOff}. */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      float[] dst, int dOff) {
        int full = mc / MR;
        int rest = mc - full * MR;
        if (rest > 0) {
            Arrays.fill(dst, dOff + full * kc * MR, dOff + (full + 1) * kc * MR, 0f);
        }
        if (transA) {
            // op(A)(i, p) = a[aOff + p*lda + i]: for each k, the block's rows are one contiguous run,
            // read once and dealt out to the panels (walking one panel down k instead would touch
            // kc lines lda apart, which alias in L1 for power-of-two lda).
            for (int p = 0; p < kc; p++) {
                int src = aOff + (p0 + p) * lda + i0;
                int d = dOff + p * MR;
                int q = 0;
                if (V >= MR && p * MR + V <= kc * MR) {
                    // One vector per panel: its V - MR extra lanes land in the slots of the next steps of
                    // the same panel, which those steps overwrite later (hence not near the panel's end);
                    // stop early where the extra lanes would read past the end of the array.
                    int vecPanels = Math.min(full, Math.floorDiv(a.length - V - src, MR) + 1);
                    for (; q < vecPanels; q++, src += MR, d += kc * MR) {
                        FloatVector.fromArray(SPECIES, a, src).intoArray(dst, d);
                    }
                }
                for (; q < full; q++, src += MR, d += kc * MR) {
                    dst[d] = a[src];
                    dst[d + 1] = a[src + 1];
                    dst[d + 2] = a[src + 2];
                    dst[d + 3] = a[src + 3];
                    dst[d + 4] = a[src + 4];
                    dst[d + 5] = a[src + 5];
                }
                for (int r = 0; r < rest; r++) {
                    dst[d + r] = a[src + r];
                }
            }
        } else {
            // op(A)(i, p) = a[aOff + i*lda + p]: each row is contiguous along k. Walk k innermost
            // over the MR rows of a panel so the panel is written contiguously.
            for (int q = 0; q < full; q++) {
                int s0 = aOff + (i0 + q * MR) * lda + p0;
                int s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda, s4 = s3 + lda, s5 = s4 + lda;
                int base = dOff + q * kc * MR;
                for (int p = 0; p < kc; p++) {
                    int d = base + p * MR;
                    dst[d] = a[s0 + p];
                    dst[d + 1] = a[s1 + p];
                    dst[d + 2] = a[s2 + p];
                    dst[d + 3] = a[s3 + p];
                    dst[d + 4] = a[s4 + p];
                    dst[d + 5] = a[s5 + p];
                }
            }
            int base = dOff + full * kc * MR;
            for (int r = 0; r < rest; r++) {
                int src = aOff + (i0 + full * MR + r) * lda + p0;
                for (int p = 0; p < kc; p++) {
                    dst[base + p * MR + r] = a[src + p];
                }
            }
        }
    }

    /** Packs rows {@code [p0, p0+kc)} and columns {@code [j0, j0+nc)} of op(B) into {@code dst}. */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
                      float[] dst) {
        int[] idx = transB && GATHER ? gatherIndex(ldb) : null;
        for (int q = 0, j = 0; j < nc; q++, j += NR) {
            int cols = Math.min(NR, nc - j);
            int base = q * kc * NR;
            if (cols < NR) {
                Arrays.fill(dst, base, base + kc * NR, 0f);
            }
            if (transB) {
                // op(B)(p, j) = b[bOff + j*ldb + p]: each column of the panel is contiguous along k.
                // A full panel gathers one packed row (NR columns at one k) per step.
                int src = bOff + (j0 + j) * ldb + p0;
                if (cols == NR && idx != null) {
                    for (int p = 0, d = base; p < kc; p++, d += NR) {
                        FloatVector.fromArray(SPECIES, b, src + p, idx, 0).intoArray(dst, d);
                        FloatVector.fromArray(SPECIES, b, src + p, idx, V).intoArray(dst, d + V);
                    }
                    continue;
                }
                // Otherwise go through k in chunks of one cache line, so each column's line is used up
                // before the next is read (NR lines ldb apart would alias in L1 for power-of-two ldb).
                for (int pc = 0; pc < kc; pc += T_CHUNK) {
                    int pEnd = Math.min(kc, pc + T_CHUNK);
                    for (int col = 0; col < cols; col++) {
                        int s = src + col * ldb;
                        for (int p = pc; p < pEnd; p++) {
                            dst[base + p * NR + col] = b[s + p];
                        }
                    }
                }
            } else {
                // op(B)(p, j) = b[bOff + p*ldb + j]: each k step is a contiguous run of the panel's columns.
                int src = bOff + p0 * ldb + j0 + j;
                if (cols == NR) {
                    for (int p = 0, d = base; p < kc; p++, src += ldb, d += NR) {
                        FloatVector.fromArray(SPECIES, b, src).intoArray(dst, d);
                        FloatVector.fromArray(SPECIES, b, src + V).intoArray(dst, d + V);
                    }
                } else {
                    for (int p = 0, d = base; p < kc; p++, src += ldb, d += NR) {
                        System.arraycopy(b, src, dst, d, cols);
                    }
                }
            }
        }
    }
}
