package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.KernelMath.F;
import static org.transformer4j.cpu.kernel.KernelMath.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Multi-head scaled dot-product attention, forward and backward, on {@code [B, T, C]} arrays whose last axis
 * holds the heads as contiguous slices of {@code hs = C/heads} channels:
 * {@code out_i = Σ_j softmax_j(q_i·k_j / sqrt(hs)) v_j} per batch row and head.
 *
 * <p>Masking: with {@code causal}, query i sits at absolute position {@code Tk - Tq + i} (so a single new
 * query against a key/value cache sees the whole cache) and sees keys {@code j <= Tk - Tq + i}; a
 * {@code keyMask [B, Tk]} entry 0 hides that key. A query that sees no key outputs zeros, saves a zero
 * probability row and gets zero gradient.
 *
 * <p>Work is split across threads by (batch, head) pair; each pair writes only its own slices, so results
 * are the same for any thread count. The forward saves the probabilities {@code [B, heads, Tq, Tk]}; the
 * backward adds into {@code dq}, {@code dk}, {@code dv}.
 */
public final class AttentionKernel {
    private static final String KERNEL = "AttentionKernel";
    /**
     * From this many queries per head on, the key (or value) slice is first transposed to {@code [hs, Tk]} so
     * the scores of one query are computed 8 (or 16) keys at a time without horizontal sums; below it (the
     * one-token decoding step) each score is a direct dot product.
     */
    private static final int TRANSPOSE_MIN_QUERIES = 4;

    private AttentionKernel() {
    }

    /**
     * @param q      queries {@code [b, tq, c]}
     * @param k      keys {@code [b, tk, c]}
     * @param v      values {@code [b, tk, c]}
     * @param keyMask {@code [b, tk]} with 1 = attend, 0 = padding; or null
     * @param out    receives {@code [b, tq, c]} (overwritten)
     * @param probs  receives the attention probabilities {@code [b, heads, tq, tk]} (overwritten)
     */
    public static void forward(Parallelism par, float[] q, float[] k, float[] v, int b, int tq, int tk, int c, int heads,
                               boolean causal, int[] keyMask, float[] out, float[] probs) {
        String name = KERNEL + ".forward";
        checkShapes(name, q, k, v, b, tq, tk, c, heads, keyMask, probs);
        KernelArgs.length(name, "out", out, (long) b * tq * c);
        int hs = c / heads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        par.forRange(b * heads, (from, to) -> {
            float[] kT = tq >= TRANSPOSE_MIN_QUERIES ? new float[hs * tk] : null;
            for (int unit = from; unit < to; unit++) {
                forwardHead(unit / heads, unit % heads, q, k, v, tq, tk, c, hs, scale, causal, keyMask, out, probs, kT);
            }
        });
    }

    private static void forwardHead(int bi, int h, float[] q, float[] k, float[] v, int tq, int tk, int c, int hs,
                                    float scale, boolean causal, int[] keyMask, float[] out, float[] probs, float[] kT) {
        int kBase = bi * tk * c + h * hs;
        if (kT != null) {
            transpose(k, kBase, tk, c, hs, kT);
        }
        for (int i = 0; i < tq; i++) {
            int qOff = (bi * tq + i) * c + h * hs;
            int pOff = ((bi * (c / hs) + h) * tq + i) * tk;
            int limit = visibleKeys(i, tq, tk, causal);
            if (limit <= 0) {
                Arrays.fill(probs, pOff, pOff + tk, 0f);
                Arrays.fill(out, qOff, qOff + hs, 0f);
                continue;
            }
            scores(q, qOff, k, kBase, kT, tk, c, hs, limit, scale, probs, pOff);
            if (keyMask != null) {
                int mBase = bi * tk;
                for (int j = 0; j < limit; j++) {
                    if (keyMask[mBase + j] == 0) {
                        probs[pOff + j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            Arrays.fill(probs, pOff + limit, pOff + tk, 0f);
            Arrays.fill(out, qOff, qOff + hs, 0f);
            if (!softmaxInPlace(probs, pOff, limit)) {
                continue; // no visible key: zero probabilities (set by softmaxInPlace) and zero output
            }
            for (int j = 0; j < limit; j++) {
                float p = probs[pOff + j];
                if (p != 0f) {
                    KernelMath.axpy(p, v, kBase + j * c, out, qOff, hs);
                }
            }
        }
    }

    /**
     * Adds the gradients of {@link #forward}: with {@code dP_ij = dout_i·v_j} and
     * {@code dS_ij = P_ij (dP_ij - Σ_l P_il dP_il)}: {@code dv_j += Σ_i P_ij dout_i},
     * {@code dq_i += scale Σ_j dS_ij k_j}, {@code dk_j += scale Σ_i dS_ij q_i}.
     *
     * @param probs what {@link #forward} saved for these q, k, v and masks
     */
    public static void backward(Parallelism par, float[] dout, float[] q, float[] k, float[] v, float[] probs, int b, int tq,
                                int tk, int c, int heads, boolean causal, int[] keyMask, float[] dq, float[] dk, float[] dv) {
        String name = KERNEL + ".backward";
        checkShapes(name, q, k, v, b, tq, tk, c, heads, keyMask, probs);
        long qSize = (long) b * tq * c;
        long kSize = (long) b * tk * c;
        KernelArgs.length(name, "dout", dout, qSize);
        KernelArgs.length(name, "dq", dq, qSize);
        KernelArgs.length(name, "dk", dk, kSize);
        KernelArgs.length(name, "dv", dv, kSize);
        int hs = c / heads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        par.forRange(b * heads, (from, to) -> {
            float[] vT = tq >= TRANSPOSE_MIN_QUERIES ? new float[hs * tk] : null;
            float[] dp = new float[tk];
            for (int unit = from; unit < to; unit++) {
                backwardHead(unit / heads, unit % heads, dout, q, k, v, probs, tq, tk, c, hs, scale, causal, dq, dk, dv, vT, dp);
            }
        });
    }

    private static void backwardHead(int bi, int h, float[] dout, float[] q, float[] k, float[] v, float[] probs, int tq,
                                     int tk, int c, int hs, float scale, boolean causal, float[] dq, float[] dk,
                                     float[] dv, float[] vT, float[] dp) {
        int kBase = bi * tk * c + h * hs;
        if (vT != null) {
            transpose(v, kBase, tk, c, hs, vT);
        }
        for (int i = 0; i < tq; i++) {
            int qOff = (bi * tq + i) * c + h * hs;
            int pOff = ((bi * (c / hs) + h) * tq + i) * tk;
            int limit = visibleKeys(i, tq, tk, causal);
            if (limit <= 0) {
                continue;
            }
            // dp_j = dout_i · v_j (masked keys have p = 0 and drop out below)
            scores(dout, qOff, v, kBase, vT, tk, c, hs, limit, 1f, dp, 0);
            float pdp = KernelMath.dot(probs, pOff, dp, 0, limit);
            for (int j = 0; j < limit; j++) {
                float p = probs[pOff + j];
                if (p == 0f) {
                    continue;
                }
                float ds = scale * p * (dp[j] - pdp);
                int kOff = kBase + j * c;
                KernelMath.axpy(ds, k, kOff, dq, qOff, hs);
                KernelMath.axpy(ds, q, qOff, dk, kOff, hs);
                KernelMath.axpy(p, dout, qOff, dv, kOff, hs);
            }
        }
    }

    /** Keys visible to query i: all of them, or with causal masking those at positions <= tk - tq + i. */
    private static int visibleKeys(int i, int tq, int tk, boolean causal) {
        return causal ? Math.min(tk, tk - tq + i + 1) : tk;
    }

    /**
     * {@code dst[dOff + j] = scale · a_row · b_j} for keys j in [0, limit), where a_row is {@code a[aOff, +hs)} and
     * b_j is {@code b[bBase + j·c, +hs)}; uses {@code bT} (b's slice transposed to [hs, tk]) when given.
     */
    private static void scores(float[] a, int aOff, float[] b, int bBase, float[] bT, int tk, int c, int hs, int limit,
                               float scale, float[] dst, int dOff) {
        if (bT == null) {
            for (int j = 0; j < limit; j++) {
                dst[dOff + j] = scale * KernelMath.dot(a, aOff, b, bBase + j * c, hs);
            }
            return;
        }
        int j = 0;
        for (int bound = F.loopBound(limit); j < bound; j += L) {
            FloatVector acc = FloatVector.zero(F);
            for (int d = 0; d < hs; d++) {
                acc = FloatVector.fromArray(F, bT, d * tk + j).fma(FloatVector.broadcast(F, a[aOff + d]), acc);
            }
            acc.mul(scale).intoArray(dst, dOff + j);
        }
        for (; j < limit; j++) {
            float s = 0f;
            for (int d = 0; d < hs; d++) {
                s = Math.fma(bT[d * tk + j], a[aOff + d], s);
            }
            dst[dOff + j] = scale * s;
        }
    }

    /** Copies the head slice {@code src[base + j·c + d]} (j < tk, d < hs) into {@code dst[d·tk + j]}. */
    private static void transpose(float[] src, int base, int tk, int c, int hs, float[] dst) {
        for (int j = 0; j < tk; j++) {
            int row = base + j * c;
            for (int d = 0; d < hs; d++) {
                dst[d * tk + j] = src[row + d];
            }
        }
    }

    /**
     * Softmax of {@code a[off, off+len)} in place, -inf entries giving 0. Returns false (and zeroes the row)
     * when every entry is -inf, i.e. no key is visible.
     */
    private static boolean softmaxInPlace(float[] a, int off, int len) {
        float max = Float.NEGATIVE_INFINITY;
        int j = 0;
        int bound = F.loopBound(len);
        if (bound > 0) {
            FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; j < bound; j += L) {
                vmax = vmax.max(FloatVector.fromArray(F, a, off + j));
            }
            max = vmax.reduceLanes(VectorOperators.MAX);
        }
        for (; j < len; j++) {
            max = Math.max(max, a[off + j]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(a, off, off + len, 0f);
            return false;
        }
        FloatVector vm = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        j = 0;
        for (; j < bound; j += L) {
            FloatVector e = KernelMath.exp(FloatVector.fromArray(F, a, off + j).sub(vm));
            acc = acc.add(e);
            e.intoArray(a, off + j);
        }
        float sum = KernelMath.sumLanes(acc);
        for (; j < len; j++) {
            float e = KernelMath.exp(a[off + j] - max);
            a[off + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        j = 0;
        for (; j < bound; j += L) {
            FloatVector.fromArray(F, a, off + j).mul(inv).intoArray(a, off + j);
        }
        for (; j < len; j++) {
            a[off + j] *= inv;
        }
        return true;
    }

    private static void checkShapes(String name, float[] q, float[] k, float[] v, int b, int tq, int tk, int c, int heads,
                                    int[] keyMask, float[] probs) {
        KernelArgs.nonNegative(name, "b", b);
        KernelArgs.nonNegative(name, "tq", tq);
        KernelArgs.nonNegative(name, "tk", tk);
        KernelArgs.positive(name, "c", c);
        KernelArgs.positive(name, "heads", heads);
        if (c % heads != 0) {
            throw new IllegalArgumentException(name + ": heads (" + heads + ") must divide the channel count c (" + c
                    + "); choose a head count that divides it");
        }
        KernelArgs.length(name, "q", q, (long) b * tq * c);
        KernelArgs.length(name, "k", k, (long) b * tk * c);
        KernelArgs.length(name, "v", v, (long) b * tk * c);
        KernelArgs.length(name, "probs", probs, (long) b * heads * tq * tk);
        if (keyMask != null) {
            KernelArgs.length(name, "keyMask", keyMask, (long) b * tk);
        }
    }
}
