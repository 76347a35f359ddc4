package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.KernelMath.ELEMENT_GRAIN;
import static org.transformer4j.cpu.kernel.KernelMath.F;
import static org.transformer4j.cpu.kernel.KernelMath.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inverted dropout: each element is kept with probability {@code 1-p} and scaled by {@code 1/(1-p)}, or zeroed.
 * The keep decision of element i is a hash of {@code (seed, i)} (a counter-based generator), so the mask
 * depends only on the seed and the size, never on the thread count or call order; callers must use a fresh
 * seed per dropout site and step. The forward saves the mask (1 = kept, 0 = dropped) for the backward.
 * The hash runs on integer vectors, lanes and loop tails computing the very same bits.
 */
public final class DropoutKernel {
    private static final String KERNEL = "DropoutKernel";
    /** Integer lanes matching the float lanes one to one. */
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final int[] LANE_INDEX = java.util.stream.IntStream.range(0, L).toArray();
    private static final int GOLDEN = 0x9E3779B9;

    private DropoutKernel() {
    }

    /**
     * @param xs   input {@code [n]}
     * @param out  receives {@code [n]} (may alias xs)
     * @param mask receives {@code [n]}: 1 where the element was kept, 0 where dropped
     * @param p    drop probability in [0, 1]; 0 copies xs and keeps everything, 1 drops everything
     */
    public static void forward(Parallelism par, float[] xs, float[] out, byte[] mask, int n, float p, long seed) {
        String k = KERNEL + ".forward";
        checkP(k, p);
        KernelArgs.nonNegative(k, "n", n);
        KernelArgs.length(k, "x", xs, n);
        KernelArgs.length(k, "out", out, n);
        KernelArgs.length(k, "mask", mask, n);
        // keep when the 24-bit uniform u satisfies u >= threshold, i.e. with probability 1 - threshold/2^24
        int threshold = (int) Math.round((double) p * (1 << 24));
        float scale = p >= 1f ? 0f : 1f / (1f - p);
        int s1 = (int) mix64(seed);
        int s2 = (int) (mix64(seed) >>> 32);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            IntVector lane = IntVector.fromArray(I, LANE_INDEX, 0);
            FloatVector vscale = FloatVector.broadcast(F, scale);
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                IntVector h = lane.add(i).lanewise(VectorOperators.XOR, s1).mul(GOLDEN);
                h = fmix32(h).add(s2);
                h = fmix32(h).lanewise(VectorOperators.LSHR, 8);
                VectorMask<Integer> keep = h.compare(VectorOperators.GE, threshold);
                FloatVector x = FloatVector.fromArray(F, xs, i);
                x.mul(vscale).blend(FloatVector.zero(F), keep.cast(F).not()).intoArray(out, i);
                long bits = keep.toLong();
                for (int l = 0; l < L; l++) {
                    mask[i + l] = (byte) ((bits >>> l) & 1);
                }
            }
            for (; i < to; i++) {
                boolean keep = (hash(i, s1, s2) >>> 8) >= threshold;
                mask[i] = keep ? (byte) 1 : (byte) 0;
                out[i] = keep ? xs[i] * scale : 0f;
            }
        });
    }

    /**
     * The mask of {@link #forward} for {@code seed} and {@code p} as factors, for elements {@code [offset, offset + n)}:
     * {@code dst[i] = 1/(1-p)} where element {@code offset + i} is kept, else 0. Single-threaded (callers run it
     * per row inside their own parallel work); the same bits as {@code forward} for every element index.
     *
     * @param p drop probability in [0, 1)
     */
    public static void factors(long seed, float p, int offset, float[] dst, int n) {
        String k = KERNEL + ".factors";
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException(k + ": drop probability p must be in [0, 1), was " + p);
        }
        KernelArgs.nonNegative(k, "offset", offset);
        KernelArgs.nonNegative(k, "n", n);
        KernelArgs.length(k, "dst", dst, n);
        if ((long) offset + n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(k + ": elements [" + offset + ", " + ((long) offset + n)
                    + ") go past the int index range of the mask");
        }
        int threshold = (int) Math.round((double) p * (1 << 24));
        float scale = 1f / (1f - p);
        int s1 = (int) mix64(seed);
        int s2 = (int) (mix64(seed) >>> 32);
        IntVector lane = IntVector.fromArray(I, LANE_INDEX, 0);
        FloatVector vscale = FloatVector.broadcast(F, scale);
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            IntVector h = lane.add(offset + i).lanewise(VectorOperators.XOR, s1).mul(GOLDEN);
            h = fmix32(h).add(s2);
            h = fmix32(h).lanewise(VectorOperators.LSHR, 8);
            VectorMask<Integer> keep = h.compare(VectorOperators.GE, threshold);
            vscale.blend(zero, keep.cast(F).not()).intoArray(dst, i);
        }
        for (; i < n; i++) {
            dst[i] = (hash(offset + i, s1, s2) >>> 8) >= threshold ? scale : 0f;
        }
    }

    /** {@code dx += dout·mask/(1-p)}, with the mask and p of the forward. */
    public static void backward(Parallelism par, float[] dout, byte[] mask, int n, float p, float[] dx) {
        String k = KERNEL + ".backward";
        checkP(k, p);
        KernelArgs.nonNegative(k, "n", n);
        KernelArgs.length(k, "dout", dout, n);
        KernelArgs.length(k, "mask", mask, n);
        KernelArgs.length(k, "dx", dx, n);
        if (p >= 1f) {
            return;
        }
        float scale = 1f / (1f - p);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                if (mask[i] != 0) {
                    dx[i] = Math.fma(dout[i], scale, dx[i]);
                }
            }
        });
    }

    /** A well-mixed 32-bit value from the element index and the two seed words (two rounds of a murmur3 finalizer). */
    private static int hash(int i, int s1, int s2) {
        int h = (i ^ s1) * GOLDEN;
        h = fmix32(h);
        return fmix32(h + s2);
    }

    private static IntVector fmix32(IntVector h) {
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
        return h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
    }

    private static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    /** SplitMix64's finalizer: spreads the seed over 64 bits so nearby seeds give unrelated masks. */
    private static long mix64(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void checkP(String k, float p) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException(k + ": drop probability p must be in [0, 1], was " + p);
        }
    }
}
