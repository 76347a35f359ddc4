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
 * backward adds into {@code dq}, {@code dk}, {@code dv}. Attention dropout, when asked for, multiplies the
 * probabilities by {@link DropoutFactors} fetched a row at a time in the forward and again in the backward.
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
        forward(par, q, k, v, b, tq, tk, c, heads, causal, keyMask, out, probs, null);
    }

    /**
     * The forward with dropout on the probabilities: {@code out_i = Σ_j P_ij D_ij v_j}, where {@code D [b, heads, tq, tk]}
     * holds each weight's dropout factor ({@code 0} dropped, {@code 1/(1-p)} kept), asked of {@code drop} a row at a
     * time (so a seeded mask is regenerated, never stored). {@code probs} still receives the undropped {@code P};
     * pass the same {@code drop} to {@link #backward}.
     *
     * @param drop the dropout factors of the flat {@code [b, heads, tq, tk]} weights, or null for no dropout
     */
    public static void forward(Parallelism par, float[] q, float[] k, float[] v, int b, int tq, int tk, int c, int heads,
                               boolean causal, int[] keyMask, float[] out, float[] probs, DropoutFactors drop) {
        String name = KERNEL + ".forward";
        checkShapes(name, q, k, v, b, tq, tk, c, heads, keyMask, probs);
        KernelArgs.length(name, "out", out, (long) b * tq * c);
        int hs = c / heads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int tkPad = roundUp(tk);
        par.forRange(b * heads, (from, to) -> {
            float[] kT = tq >= TRANSPOSE_MIN_QUERIES ? new float[hs * tkPad] : null;
            float[] row = new float[tkPad];
            float[] factors = drop == null ? null : new float[tk];
            for (int unit = from; unit < to; unit++) {
                forwardHead(unit / heads, unit % heads, heads, q, k, v, tq, tk, c, hs, scale, causal, keyMask, out, probs,
                        drop, factors, kT, row);
            }
        });
    }

    private static void forwardHead(int bi, int h, int heads, float[] q, float[] k, float[] v, int tq, int tk, int c, int hs,
                                    float scale, boolean causal, int[] keyMask, float[] out, float[] probs,
                                    DropoutFactors drop, float[] factors, float[] kT, float[] row) {
        int kBase = bi * tk * c + h * hs;
        int tkPad = row.length;
        if (kT != null) {
            transpose(k, kBase, tk, c, hs, kT, tkPad);
        }
        for (int i = 0; i < tq; i++) {
            int qOff = (bi * tq + i) * c + h * hs;
            int pOff = ((bi * heads + h) * tq + i) * tk;
            int limit = visibleKeys(i, tq, tk, causal);
            Arrays.fill(out, qOff, qOff + hs, 0f);
            if (limit <= 0) {
                Arrays.fill(probs, pOff, pOff + tk, 0f);
                continue;
            }
            // scores of keys [0, limit) in row[0, span), the padding lanes -inf so the softmax runs on whole vectors
            int span = roundUp(limit);
            scores(q, qOff, k, kBase, kT, tkPad, c, hs, limit, span, scale, row);
            Arrays.fill(row, limit, span, Float.NEGATIVE_INFINITY);
            if (keyMask != null) {
                int mBase = bi * tk;
                for (int j = 0; j < limit; j++) {
                    if (keyMask[mBase + j] == 0) {
                        row[j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            boolean seesAKey = softmaxInPlace(row, span);
            System.arraycopy(row, 0, probs, pOff, limit);
            Arrays.fill(probs, pOff + limit, pOff + tk, 0f);
            if (drop != null) {
                drop.fill(pOff, factors, limit);
                for (int j = 0; j < limit; j++) {
                    row[j] *= factors[j];
                }
            }
            if (seesAKey) { // else zero probabilities and zero output
                addWeightedRows(row, 0, 1, limit, v, kBase, c, out, qOff, hs);
            }
        }
    }

    /**
     * Adds the gradients of {@link #forward}: with {@code dP_ij = dout_i·v_j} and
     * {@code dS_ij = P_ij (dP_ij - Σ_l P_il dP_il)}: {@code dv_j += Σ_i P_ij dout_i},
     * {@code dq_i += scale Σ_j dS_ij k_j}, {@code dk_j += scale Σ_i dS_ij q_i}. Masks act through the saved
     * probabilities (zero where a key was hidden); they are passed for validation and symmetry with the forward.
     *
     * @param probs what {@link #forward} saved for these q, k, v and masks
     */
    public static void backward(Parallelism par, float[] dout, float[] q, float[] k, float[] v, float[] probs, int b, int tq,
                                int tk, int c, int heads, boolean causal, int[] keyMask, float[] dq, float[] dk, float[] dv) {
        backward(par, dout, q, k, v, probs, b, tq, tk, c, heads, causal, keyMask, dq, dk, dv, null);
    }

    /**
     * The backward of the forward with dropout factors {@code D}: {@code dv_j += Σ_i P_ij D_ij dout_i}, and the
     * softmax backward above with {@code dP_ij = D_ij (dout_i·v_j)}.
     *
     * @param drop the factors the forward used, or null for no dropout
     */
    public static void backward(Parallelism par, float[] dout, float[] q, float[] k, float[] v, float[] probs, int b, int tq,
                                int tk, int c, int heads, boolean causal, int[] keyMask, float[] dq, float[] dk, float[] dv,
                                DropoutFactors drop) {
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
        int tkPad = roundUp(tk);
        par.forRange(b * heads, (from, to) -> {
            float[] vT = tq >= TRANSPOSE_MIN_QUERIES ? new float[hs * tkPad] : null;
            float[] dp = new float[tkPad];
            float[] ds = new float[tq * tk];
            float[] dropped = drop == null ? null : new float[tq * tk];
            float[] factors = drop == null ? null : new float[tk];
            for (int unit = from; unit < to; unit++) {
                backwardHead(unit / heads, unit % heads, heads, dout, q, k, v, probs, drop, factors, tq, tk, c, hs, scale,
                        causal, dq, dk, dv, vT, dp, ds, dropped);
            }
        });
    }

    private static void backwardHead(int bi, int h, int heads, float[] dout, float[] q, float[] k, float[] v, float[] probs,
                                     DropoutFactors drop, float[] factors, int tq, int tk, int c, int hs, float scale,
                                     boolean causal,
                                     float[] dq, float[] dk, float[] dv, float[] vT, float[] dp, float[] ds,
                                     float[] dropped) {
        int kBase = bi * tk * c + h * hs;
        int qBase = bi * tq * c + h * hs;
        int pBase = (bi * heads + h) * tq * tk;
        int tkPad = dp.length;
        if (vT != null) {
            transpose(v, kBase, tk, c, hs, vT, tkPad);
        }
        // Row pass: dS_i = scale·P_i ⊙ (dP_i - P_i·dP_i) with dP_ij = dout_i·v_j; then dq_i += Σ_j dS_ij k_j.
        for (int i = 0; i < tq; i++) {
            int qOff = qBase + i * c;
            int pOff = pBase + i * tk;
            int dsOff = i * tk;
            int limit = visibleKeys(i, tq, tk, causal);
            Arrays.fill(ds, dsOff + Math.max(0, limit), dsOff + tk, 0f);
            if (dropped != null) {
                Arrays.fill(dropped, dsOff + Math.max(0, limit), dsOff + tk, 0f);
            }
            if (limit <= 0) {
                continue;
            }
            scores(dout, qOff, v, kBase, vT, tkPad, c, hs, limit, roundUp(limit), 1f, dp);
            if (dropped != null) { // dP = D ⊙ (dout·v); dv then takes the dropped weights P ⊙ D
                drop.fill(pOff, factors, limit);
                for (int j = 0; j < limit; j++) {
                    float d = factors[j];
                    dp[j] *= d;
                    dropped[dsOff + j] = probs[pOff + j] * d;
                }
            }
            float pdp = KernelMath.dot(probs, pOff, dp, 0, limit);
            for (int j = 0; j < limit; j++) {
                ds[dsOff + j] = scale * probs[pOff + j] * (dp[j] - pdp);
            }
            addWeightedRows(ds, dsOff, 1, limit, k, kBase, c, dq, qOff, hs);
        }
        // Column pass: dk_j += Σ_i dS_ij q_i and dv_j += Σ_i P_ij dout_i over the queries that see key j.
        for (int j = 0; j < tk; j++) {
            int i0 = causal ? Math.max(0, j - (tk - tq)) : 0;
            if (i0 >= tq) {
                continue;
            }
            int kOff = kBase + j * c;
            addWeightedRows(ds, i0 * tk + j, tk, tq - i0, q, qBase + i0 * c, c, dk, kOff, hs);
            if (dropped != null) {
                addWeightedRows(dropped, i0 * tk + j, tk, tq - i0, dout, qBase + i0 * c, c, dv, kOff, hs);
            } else {
                addWeightedRows(probs, pBase + i0 * tk + j, tk, tq - i0, dout, qBase + i0 * c, c, dv, kOff, hs);
            }
        }
    }

    /**
     * {@code dst[dOff + d] += Σ_t w[wOff + t·wStride] · src[sOff + t·c + d]} for t in [0, count), d in [0, hs):
     * a weighted sum of head-slice rows, accumulated in registers 4 vectors at a time. Zero weights are skipped
     * (hidden keys then contribute nothing, even where their values are not finite).
     */
    private static void addWeightedRows(float[] w, int wOff, int wStride, int count, float[] src, int sOff, int c,
                                        float[] dst, int dOff, int hs) {
        int d = 0;
        for (; d + 4 * L <= hs; d += 4 * L) {
            FloatVector a0 = FloatVector.fromArray(F, dst, dOff + d);
            FloatVector a1 = FloatVector.fromArray(F, dst, dOff + d + L);
            FloatVector a2 = FloatVector.fromArray(F, dst, dOff + d + 2 * L);
            FloatVector a3 = FloatVector.fromArray(F, dst, dOff + d + 3 * L);
            for (int t = 0; t < count; t++) {
                float wt = w[wOff + t * wStride];
                if (wt == 0f) {
                    continue;
                }
                FloatVector vw = FloatVector.broadcast(F, wt);
                int row = sOff + t * c + d;
                a0 = FloatVector.fromArray(F, src, row).fma(vw, a0);
                a1 = FloatVector.fromArray(F, src, row + L).fma(vw, a1);
                a2 = FloatVector.fromArray(F, src, row + 2 * L).fma(vw, a2);
                a3 = FloatVector.fromArray(F, src, row + 3 * L).fma(vw, a3);
            }
            a0.intoArray(dst, dOff + d);
            a1.intoArray(dst, dOff + d + L);
            a2.intoArray(dst, dOff + d + 2 * L);
            a3.intoArray(dst, dOff + d + 3 * L);
        }
        for (; d + L <= hs; d += L) {
            FloatVector a0 = FloatVector.fromArray(F, dst, dOff + d);
            for (int t = 0; t < count; t++) {
                float wt = w[wOff + t * wStride];
                if (wt != 0f) {
                    a0 = FloatVector.fromArray(F, src, sOff + t * c + d).fma(FloatVector.broadcast(F, wt), a0);
                }
            }
            a0.intoArray(dst, dOff + d);
        }
        for (; d < hs; d++) {
            float a = dst[dOff + d];
            for (int t = 0; t < count; t++) {
                float wt = w[wOff + t * wStride];
                if (wt != 0f) {
                    a = Math.fma(src[sOff + t * c + d], wt, a);
                }
            }
            dst[dOff + d] = a;
        }
    }

    /** Keys visible to query i: all of them, or with causal masking those at positions <= tk - tq + i. */
    private static int visibleKeys(int i, int tq, int tk, boolean causal) {
        return causal ? Math.min(tk, tk - tq + i + 1) : tk;
    }

    /** n rounded up to a whole number of vectors. */
    private static int roundUp(int n) {
        return (n + L - 1) / L * L;
    }

    /**
     * {@code dst[j] = scale · a_row · b_j} for keys j in [0, limit), where a_row is {@code a[aOff, +hs)} and b_j is
     * {@code b[bBase + j·c, +hs)}. With {@code bT} (b's slice transposed to [hs, tkPad], zero-padded) it computes
     * whole vectors of keys, up to {@code span} (a multiple of the vector length, at most tkPad); the entries past
     * limit are then meaningless. Without it (few queries) each score is a direct dot product.
     */
    private static void scores(float[] a, int aOff, float[] b, int bBase, float[] bT, int tkPad, int c, int hs, int limit,
                               int span, float scale, float[] dst) {
        if (bT == null) {
            for (int j = 0; j < limit; j++) {
                dst[j] = scale * KernelMath.dot(a, aOff, b, bBase + j * c, hs);
            }
            return;
        }
        int j = 0;
        for (; j + 4 * L <= span; j += 4 * L) { // four independent accumulator chains, one broadcast per d
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (int d = 0; d < hs; d++) {
                FloatVector x = FloatVector.broadcast(F, a[aOff + d]);
                int row = d * tkPad + j;
                a0 = FloatVector.fromArray(F, bT, row).fma(x, a0);
                a1 = FloatVector.fromArray(F, bT, row + L).fma(x, a1);
                a2 = FloatVector.fromArray(F, bT, row + 2 * L).fma(x, a2);
                a3 = FloatVector.fromArray(F, bT, row + 3 * L).fma(x, a3);
            }
            a0.mul(scale).intoArray(dst, j);
            a1.mul(scale).intoArray(dst, j + L);
            a2.mul(scale).intoArray(dst, j + 2 * L);
            a3.mul(scale).intoArray(dst, j + 3 * L);
        }
        for (; j < span; j += L) {
            FloatVector acc = FloatVector.zero(F);
            for (int d = 0; d < hs; d++) {
                acc = FloatVector.fromArray(F, bT, d * tkPad + j).fma(FloatVector.broadcast(F, a[aOff + d]), acc);
            }
            acc.mul(scale).intoArray(dst, j);
        }
    }

    /** Copies the head slice {@code src[base + j·c + d]} (j < tk, d < hs) into {@code dst[d·tkPad + j]}. */
    private static void transpose(float[] src, int base, int tk, int c, int hs, float[] dst, int tkPad) {
        for (int j = 0; j < tk; j++) {
            int row = base + j * c;
            for (int d = 0; d < hs; d++) {
                dst[d * tkPad + j] = src[row + d];
            }
        }
    }

    /**
     * Softmax of {@code a[0, len)} in place ({@code len} a multiple of the vector length), -inf entries giving 0.
     * Returns false (and zeroes the row) when every entry is -inf, i.e. no key is visible.
     */
    private static boolean softmaxInPlace(float[] a, int len) {
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < len; j += L) {
            vmax = vmax.max(FloatVector.fromArray(F, a, j));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX); // exact in any order
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(a, 0, len, 0f);
            return false;
        }
        FloatVector vm = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        for (int j = 0; j < len; j += L) {
            FloatVector e = KernelMath.exp(FloatVector.fromArray(F, a, j).sub(vm));
            acc = acc.add(e);
            e.intoArray(a, j);
        }
        float inv = 1f / KernelMath.sumLanes(acc);
        for (int j = 0; j < len; j += L) {
            FloatVector.fromArray(F, a, j).mul(inv).intoArray(a, j);
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
