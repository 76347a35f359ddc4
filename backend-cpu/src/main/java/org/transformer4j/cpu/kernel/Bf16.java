package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.SgemmMicroKernel.SPECIES;
import static org.transformer4j.cpu.kernel.SgemmMicroKernel.V;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * bfloat16 inference weights and the linear layer on them, with float32 arithmetic: a matrix of {@code rows x k}
 * float32 values is kept as {@code rows x ceil(k/2)} ints, each holding two neighbouring bfloat16 values (element
 * {@code 2q} of a row in the low half of int {@code q}, element {@code 2q+1} in the high half; a zero pads an odd
 * row). bfloat16 is the upper half of a float32, so decoding is a shift or a mask, no conversion instruction: one
 * vector load of ints gives two vectors of floats (the even and the odd elements), which multiply the even and odd
 * elements of the input. Half the bytes of float32 per weight is what matters at batch 1, where a decoding step
 * reads every weight once and waits on memory.
 *
 * <p>Encoding rounds to nearest, ties to even (NaN stays NaN); decoding is exact. The products accumulate in
 * float32: {@link #linear} with {@code m} up to 8 rows (as {@link Sgemm}'s one-row path) reads the weights once in place,
 * more rows decode blocks of weight rows to float32 and run {@link Sgemm} on them. Results do not depend on the
 * thread count.
 */
public final class Bf16 {
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, SPECIES.vectorShape());
    /** Weight rows decoded per block on the many-rows path. */
    private static final int BLOCK_ROWS = 64;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private Bf16() {
    }

    /** The bfloat16 bits nearest to {@code f} (ties to even); a NaN gives a quiet NaN. */
    public static int bits(float f) {
        int b = Float.floatToRawIntBits(f);
        if ((b & 0x7FFFFFFF) > 0x7F800000) {
            return ((b >>> 16) | 0x40) & 0xFFFF;
        }
        return ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16) & 0xFFFF;
    }

    /** The float32 value of bfloat16 {@code bits} (exact). */
    public static float value(int bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** Ints per encoded row of {@code k} values. */
    public static int rowInts(int k) {
        return (k + 1) / 2;
    }

    /** Encodes a row-major {@code rows x k} matrix (rounded to nearest bfloat16). */
    public static int[] encode(float[] w, int rows, int k) {
        KernelArgs.length("Bf16.encode", "w", w, (long) rows * k);
        int kh = rowInts(k);
        int[] out = new int[rows * kh];
        for (int r = 0; r < rows; r++) {
            int src = r * k;
            int dst = r * kh;
            for (int p = 0; p + 1 < k; p += 2) {
                out[dst + p / 2] = bits(w[src + p]) | (bits(w[src + p + 1]) << 16);
            }
            if ((k & 1) != 0) {
                out[dst + kh - 1] = bits(w[src + k - 1]);
            }
        }
        return out;
    }

    /** Decodes row {@code r} of an encoded {@code ? x k} matrix into {@code out[off, off + k)}. */
    public static void decodeRow(int[] w, int r, int k, float[] out, int off) {
        int kh = rowInts(k);
        int base = r * kh;
        for (int p = 0; p < k; p++) {
            out[off + p] = element(w, base, p);
        }
    }

    /** Decodes the whole {@code rows x k} matrix. */
    public static float[] decode(int[] w, int rows, int k) {
        float[] out = new float[rows * k];
        for (int r = 0; r < rows; r++) {
            decodeRow(w, r, k, out, r * k);
        }
        return out;
    }

    private static float element(int[] w, int rowBase, int p) {
        int pair = w[rowBase + (p >> 1)];
        return Float.intBitsToFloat((p & 1) == 0 ? pair << 16 : pair & 0xFFFF0000);
    }

    /**
     * {@code y[m x n] = x[m x k] · Wᵀ} for an encoded weight {@code W [n x k]}: a linear layer without bias, every
     * array dense and row-major.
     */
    public static void linear(Parallelism par, int m, int n, int k, float[] x, int[] w, float[] y) {
        String name = "Bf16.linear";
        KernelArgs.nonNegative(name, "m", m);
        KernelArgs.nonNegative(name, "n", n);
        KernelArgs.nonNegative(name, "k", k);
        KernelArgs.length(name, "x", x, (long) m * k);
        KernelArgs.length(name, "w", w, (long) n * rowInts(k));
        KernelArgs.length(name, "y", y, (long) m * n);
        if (m == 0 || n == 0) {
            return;
        }
        long work = (long) m * n * k;
        Parallelism.RangeBody body = m <= SgemmRowVector.MAX_ROWS
                ? (from, to) -> dots(m, n, from, to, k, x, w, y)
                : (from, to) -> decodedBlocks(m, n, from, to, k, x, w, y);
        if (work < Sgemm.PARALLEL_MIN_WORK || par.threads() == 1) {
            body.run(0, n);
        } else {
            par.forRange(n, m <= SgemmRowVector.MAX_ROWS ? 32 : BLOCK_ROWS, body);
        }
    }

    /**
     * Rows {@code [j0, j1)} of W against every row of x, reading W once (see the class comment): two rows of W at a
     * time, each dotted with every row of x while both are in cache; a last odd row alone. Every element of y is one
     * dot product in the same order whichever rows it is computed with.
     */
    private static void dots(int m, int n, int j0, int j1, int k, float[] x, int[] w, float[] y) {
        int kh = rowInts(k);
        int kv = k / (2 * V) * (2 * V); // elements covered by whole int vectors
        float[] xs = splitOrder(x, m, k, scratch(0, m * k));
        int j = j0;
        for (; j + 2 <= j1; j += 2) {
            int r0 = j * kh;
            int r1 = r0 + kh;
            for (int i = 0; i < m; i++) {
                int xo = i * k;
                FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
                for (int p0 = 0, q = 0; p0 < kv; p0 += 2 * V, q += V) {
                    FloatVector xe = FloatVector.fromArray(SPECIES, xs, xo + p0);
                    FloatVector xd = FloatVector.fromArray(SPECIES, xs, xo + p0 + V);
                    IntVector w0 = IntVector.fromArray(I, w, r0 + q);
                    IntVector w1 = IntVector.fromArray(I, w, r1 + q);
                    s0 = even(w0).fma(xe, s0);
                    s1 = even(w1).fma(xe, s1);
                    s0 = odd(w0).fma(xd, s0);
                    s1 = odd(w1).fma(xd, s1);
                }
                y[i * n + j] = finish(s0, x, i * k, w, r0, kv, k);
                y[i * n + j + 1] = finish(s1, x, i * k, w, r1, kv, k);
            }
        }
        if (j < j1) {
            int r0 = j * kh;
            for (int i = 0; i < m; i++) {
                int xo = i * k;
                FloatVector s0 = FloatVector.zero(SPECIES);
                for (int p0 = 0, q = 0; p0 < kv; p0 += 2 * V, q += V) {
                    IntVector w0 = IntVector.fromArray(I, w, r0 + q);
                    s0 = even(w0).fma(FloatVector.fromArray(SPECIES, xs, xo + p0), s0);
                    s0 = odd(w0).fma(FloatVector.fromArray(SPECIES, xs, xo + p0 + V), s0);
                }
                y[i * n + j] = finish(s0, x, i * k, w, r0, kv, k);
            }
        }
    }

    /**
     * {@code m} rows of {@code k} in "split order": each block of 2V elements as its V even elements, then its V odd
     * ones (the order in which a vector of bfloat16 pairs decodes), the elements past the last whole block as they
     * are. A dot product over split-order operands is the same sum in another order.
     */
    private static float[] splitOrder(float[] x, int m, int k, float[] out) {
        int kv = k / (2 * V) * (2 * V);
        for (int i = 0; i < m; i++) {
            int base = i * k;
            for (int p0 = 0; p0 < kv; p0 += 2 * V) {
                for (int l = 0; l < V; l++) {
                    out[base + p0 + l] = x[base + p0 + 2 * l];
                    out[base + p0 + V + l] = x[base + p0 + 2 * l + 1];
                }
            }
            System.arraycopy(x, base + kv, out, base + kv, k - kv);
        }
        return out;
    }

    /** Row {@code r} of an encoded matrix decoded in split order (see {@link #splitOrder}) into {@code out[off, off + k)}. */
    private static void decodeRowSplit(int[] w, int r, int k, float[] out, int off) {
        int kv = k / (2 * V) * (2 * V);
        int base = r * rowInts(k);
        for (int p0 = 0, q = 0; p0 < kv; p0 += 2 * V, q += V) {
            IntVector pairs = IntVector.fromArray(I, w, base + q);
            even(pairs).intoArray(out, off + p0);
            odd(pairs).intoArray(out, off + p0 + V);
        }
        for (int p = kv; p < k; p++) {
            out[off + p] = element(w, base, p);
        }
    }

    /** The lanes of {@code s} summed, plus the elements {@code [kv, k)} past the whole vectors. */
    private static float finish(FloatVector s, float[] x, int xo, int[] w, int rowBase, int kv, int k) {
        float d = KernelMath.sumLanes(s);
        for (int p = kv; p < k; p++) {
            d += x[xo + p] * element(w, rowBase, p);
        }
        return d;
    }

    private static FloatVector even(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector odd(IntVector pairs) {
        return pairs.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats();
    }

    /**
     * Rows {@code [j0, j1)} of W decoded {@link #BLOCK_ROWS} at a time (in split order, no shuffles), each block one
     * {@link Sgemm} product with x in the same order.
     */
    private static void decodedBlocks(int m, int n, int j0, int j1, int k, float[] x, int[] w, float[] y) {
        float[] xs = splitOrder(x, m, k, scratch(0, m * k));
        float[] block = scratch(1, BLOCK_ROWS * k);
        Parallelism one = Parallelism.sequential();
        for (int r0 = j0; r0 < j1; r0 += BLOCK_ROWS) {
            int rows = Math.min(BLOCK_ROWS, j1 - r0);
            for (int r = 0; r < rows; r++) {
                decodeRowSplit(w, r0 + r, k, block, r * k);
            }
            Sgemm.sgemm(one, false, true, m, rows, k, 1f, xs, 0, k, block, 0, k, 0f, y, r0, n);
        }
    }

    private static float[] scratch(int which, int size) {
        float[][] s = SCRATCH.get();
        if (s[which].length < size) {
            s[which] = new float[size];
        }
        return s[which];
    }
}
