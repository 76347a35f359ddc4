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
 * <p>Each (batch row, head) pair is a few small matrix products through {@link Sgemm} (scores, weighted values, and
 * in the backward the four gradient products), with the masking, softmax and dropout done row by row in between.
 * With causal masking the products also compute the hidden half of the scores, which is then set aside: whole
 * products at the kernel's speed cost less than skipping it element by element. Work is split across threads by
 * (batch, head) pair; each pair writes only its own slices, so results are the same for any thread count.
 *
 * <p>Grouped-query attention ({@code kvHeads < heads}, the {@code kvHeads} overloads): keys and values are
 * {@code [B, Tk, kvHeads·hs]} and query head {@code h} uses key/value head {@code h / (heads/kvHeads)}. Work is then
 * split by (batch row, key/value head) and a group's query heads run in order on one thread, so the gradients of a
 * shared key/value head are summed in a fixed order with no two threads writing them.
 *
 * <p>The forward saves the probabilities {@code [B, heads, Tq, Tk]}; the backward adds into {@code dq}, {@code dk},
 * {@code dv}. Attention dropout, when asked for, multiplies the probabilities by {@link DropoutFactors} fetched a row
 * at a time in the forward and again in the backward. Hidden keys get weight 0 but still take part in the products,
 * so their values must be finite (as every layer's outputs are).
 */
public final class AttentionKernel {
    private static final String KERNEL = "AttentionKernel";
    /**
     * Least multiply-adds ({@code tq·tk·hs} per product and pair) a thread's share must have before work is split:
     * a one-token decoding step (a few pairs of {@code 1·tk·hs}) runs on the calling thread, since waking a parked
     * worker for it costs more than the work.
     */
    private static final long MIN_CHUNK_WORK = 1 << 16;

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
        forward(par, q, k, v, b, tq, tk, c, heads, heads, causal, keyMask, out, probs, drop);
    }

    /**
     * The forward of grouped-query attention: {@code k} and {@code v} are {@code [b, tk, kvHeads·(c/heads)]}, query
     * head {@code h} attending with key/value head {@code h / (heads/kvHeads)}; {@code kvHeads == heads} is plain
     * multi-head attention.
     *
     * @param kvHeads divides {@code heads}
     */
    public static void forward(Parallelism par, float[] q, float[] k, float[] v, int b, int tq, int tk, int c, int heads,
                               int kvHeads, boolean causal, int[] keyMask, float[] out, float[] probs,
                               DropoutFactors drop) {
        String name = KERNEL + ".forward";
        checkShapes(name, q, k, v, b, tq, tk, c, heads, kvHeads, keyMask, probs);
        forwardStrided(par, q, k, v, tk, b, tq, tk, c, heads, kvHeads, causal, keyMask, out, probs, drop);
    }

    /** The forward with {@code kvStride} positions per batch row in k and v (checked by the callers). */
    private static void forwardStrided(Parallelism par, float[] q, float[] k, float[] v, int kvStride, int b, int tq,
                                       int tk, int c, int heads, int kvHeads, boolean causal, int[] keyMask,
                                       float[] out, float[] probs, DropoutFactors drop) {
        KernelArgs.length(KERNEL + ".forward", "out", out, (long) b * tq * c);
        int hs = c / heads;
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int tkPad = roundUp(tk);
        par.forRange(b * kvHeads, grain(tq, tk, hs * group), (from, to) -> {
            float[] weights = new float[tq * tkPad];
            float[] factors = drop == null ? null : new float[tk];
            for (int unit = from; unit < to; unit++) {
                int bi = unit / kvHeads;
                int kvh = unit % kvHeads;
                for (int g = 0; g < group; g++) {
                    forwardHead(bi, kvh * group + g, kvh, heads, kvHeads, q, k, v, kvStride, tq, tk, c, hs, scale,
                            causal, keyMask, out, probs, drop, factors, weights, tkPad);
                }
            }
        });
    }

    /**
     * The inference forward over a key/value cache whose storage holds {@code kvCapacity} positions per batch row (of
     * which the first {@code tk} are attended): {@code k} and {@code v} are {@code [b, kvCapacity, kvHeads·(c/heads)]}
     * arrays, so a cache appended in place is read where it lies. Otherwise as
     * {@link #forward(Parallelism, float[], float[], float[], int, int, int, int, int, int, boolean, int[], float[],
     * float[], DropoutFactors)} without dropout.
     *
     * @param kvCapacity positions per batch row in {@code k} and {@code v}, at least {@code tk}
     */
    public static void forward(Parallelism par, float[] q, float[] k, float[] v, int kvCapacity, int b, int tq, int tk,
                               int c, int heads, int kvHeads, boolean causal, int[] keyMask, float[] out,
                               float[] probs) {
        String name = KERNEL + ".forward";
        if (kvCapacity < tk) {
            throw new IllegalArgumentException(name + ": kvCapacity (" + kvCapacity + ") must be at least tk (" + tk
                    + ")");
        }
        checkShapes(name, q, k, v, b, tq, kvCapacity, c, heads, kvHeads, null, null);
        KernelArgs.length(name, "probs", probs, (long) b * heads * tq * tk);
        if (keyMask != null) {
            KernelArgs.length(name, "keyMask", keyMask, (long) b * tk);
        }
        forwardStrided(par, q, k, v, kvCapacity, b, tq, tk, c, heads, kvHeads, causal, keyMask, out, probs, null);
    }

    /**
     * One (batch row, head): the scores {@code S = scale·Q Kᵀ} as one matrix product into {@code weights}
     * ({@code [tq, tkPad]}), each row masked and soft-maxed in place (then dropped out), and {@code out = W V} as a
     * second product. Hidden keys get weight exactly 0.
     */
    private static void forwardHead(int bi, int h, int kvh, int heads, int kvHeads, float[] q, float[] k, float[] v,
                                    int kvStride, int tq, int tk, int c, int hs, float scale, boolean causal,
                                    int[] keyMask, float[] out, float[] probs, DropoutFactors drop, float[] factors,
                                    float[] weights, int tkPad) {
        int kc = kvHeads * hs;
        int kBase = bi * kvStride * kc + kvh * hs;
        int qBase = bi * tq * c + h * hs;
        int pBase = (bi * heads + h) * tq * tk;
        Parallelism one = Parallelism.sequential(); // the caller already splits work by (batch row, head)
        Sgemm.sgemm(one, false, true, tq, tk, hs, scale, q, qBase, c, k, kBase, kc, 0f, weights, 0, tkPad);
        for (int i = 0; i < tq; i++) {
            int wOff = i * tkPad;
            int pOff = pBase + i * tk;
            int limit = visibleKeys(i, tq, tk, causal);
            if (limit <= 0) {
                Arrays.fill(weights, wOff, wOff + tkPad, 0f);
                Arrays.fill(probs, pOff, pOff + tk, 0f);
                continue;
            }
            // keys [0, limit) in whole vectors up to span, the padding lanes -inf so the softmax runs on whole vectors
            int span = roundUp(limit);
            Arrays.fill(weights, wOff + limit, wOff + span, Float.NEGATIVE_INFINITY);
            if (keyMask != null) {
                int mBase = bi * tk;
                for (int j = 0; j < limit; j++) {
                    if (keyMask[mBase + j] == 0) {
                        weights[wOff + j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            softmaxInPlace(weights, wOff, span); // a row that sees no key becomes zeros
            Arrays.fill(weights, wOff + span, wOff + tkPad, 0f);
            System.arraycopy(weights, wOff, probs, pOff, limit);
            Arrays.fill(probs, pOff + limit, pOff + tk, 0f);
            if (drop != null) {
                drop.fill(pOff, factors, limit);
                for (int j = 0; j < limit; j++) {
                    weights[wOff + j] *= factors[j];
                }
            }
        }
        Sgemm.sgemm(one, false, false, tq, hs, tk, 1f, weights, 0, tkPad, v, kBase, kc, 0f, out, qBase, c);
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
        backward(par, dout, q, k, v, probs, b, tq, tk, c, heads, heads, causal, keyMask, dq, dk, dv, drop);
    }

    /**
     * The backward of grouped-query attention ({@link #forward(Parallelism, float[], float[], float[], int, int, int,
     * int, int, int, boolean, int[], float[], float[], DropoutFactors) its forward}): {@code dk} and {@code dv} are
     * {@code [b, tk, kvHeads·(c/heads)]} and receive the sum over each group's query heads.
     */
    public static void backward(Parallelism par, float[] dout, float[] q, float[] k, float[] v, float[] probs, int b, int tq,
                                int tk, int c, int heads, int kvHeads, boolean causal, int[] keyMask, float[] dq,
                                float[] dk, float[] dv, DropoutFactors drop) {
        backward(par, dout, q, k, v, probs, b, tq, tk, c, heads, kvHeads, causal, keyMask, dq, dk, dv, drop, false);
    }

    /**
     * The grouped-query backward above, or with {@code overwrite} {@code dq = ...}, {@code dk = ...}, {@code dv = ...}:
     * their old contents are not read (gradient buffers nothing has added into yet need not be zeroed first; the same
     * bits as adding into zeros). dq, dk and dv must then be three distinct arrays.
     */
    public static void backward(Parallelism par, float[] dout, float[] q, float[] k, float[] v, float[] probs, int b, int tq,
                                int tk, int c, int heads, int kvHeads, boolean causal, int[] keyMask, float[] dq,
                                float[] dk, float[] dv, DropoutFactors drop, boolean overwrite) {
        String name = KERNEL + ".backward";
        if (overwrite && (dq == dk || dq == dv || dk == dv)) {
            throw new IllegalArgumentException(name + ": overwrite needs distinct dq, dk and dv arrays (one array given "
                    + "twice receives two gradients, so it must be added into)");
        }
        checkShapes(name, q, k, v, b, tq, tk, c, heads, kvHeads, keyMask, probs);
        long qSize = (long) b * tq * c;
        long kSize = (long) b * tk * (c / heads) * kvHeads;
        KernelArgs.length(name, "dout", dout, qSize);
        KernelArgs.length(name, "dq", dq, qSize);
        KernelArgs.length(name, "dk", dk, kSize);
        KernelArgs.length(name, "dv", dv, kSize);
        int hs = c / heads;
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        par.forRange(b * kvHeads, grain(tq, tk, hs * group), (from, to) -> {
            float[] ds = new float[tq * tk];
            float[] dropped = drop == null ? null : new float[tq * tk];
            float[] factors = drop == null ? null : new float[tk];
            for (int unit = from; unit < to; unit++) {
                int bi = unit / kvHeads;
                int kvh = unit % kvHeads;
                for (int g = 0; g < group; g++) {
                    // overwriting: dq's rows of head h are written once, dk's and dv's by the group's first head
                    backwardHead(bi, kvh * group + g, kvh, heads, kvHeads, dout, q, k, v, probs, drop, factors, tq, tk, c,
                            hs, scale, causal, dq, dk, dv, ds, dropped, overwrite ? 0f : 1f,
                            overwrite && g == 0 ? 0f : 1f);
                }
            }
        });
    }

    /**
     * One (batch row, head): {@code dP = dO Vᵀ} as a matrix product into {@code ds}, turned row by row into
     * {@code dS = scale·P ⊙ (dP - rowsum(P ⊙ dP))} in place, then {@code dQ += dS K}, {@code dK += dSᵀ Q} and
     * {@code dV += Wᵀ dO} (W the weights the forward used: P, or P ⊙ D with dropout) as three more products.
     */
    private static void backwardHead(int bi, int h, int kvh, int heads, int kvHeads, float[] dout, float[] q, float[] k,
                                     float[] v, float[] probs, DropoutFactors drop, float[] factors, int tq, int tk, int c,
                                     int hs, float scale, boolean causal, float[] dq, float[] dk, float[] dv, float[] ds,
                                     float[] dropped, float betaQ, float betaKv) {
        int kc = kvHeads * hs;
        int kBase = bi * tk * kc + kvh * hs;
        int qBase = bi * tq * c + h * hs;
        int pBase = (bi * heads + h) * tq * tk;
        Parallelism one = Parallelism.sequential();
        Sgemm.sgemm(one, false, true, tq, tk, hs, 1f, dout, qBase, c, v, kBase, kc, 0f, ds, 0, tk);
        for (int i = 0; i < tq; i++) {
            int pOff = pBase + i * tk;
            int dsOff = i * tk;
            int limit = Math.max(0, visibleKeys(i, tq, tk, causal));
            Arrays.fill(ds, dsOff + limit, dsOff + tk, 0f);
            if (dropped != null) {
                Arrays.fill(dropped, dsOff + limit, dsOff + tk, 0f);
            }
            if (limit == 0) {
                continue;
            }
            if (dropped != null) { // dP = D ⊙ (dout·v); dv then takes the dropped weights P ⊙ D
                drop.fill(pOff, factors, limit);
                for (int j = 0; j < limit; j++) {
                    float d = factors[j];
                    ds[dsOff + j] *= d;
                    dropped[dsOff + j] = probs[pOff + j] * d;
                }
            }
            float pdp = KernelMath.dot(probs, pOff, ds, dsOff, limit);
            for (int j = 0; j < limit; j++) {
                ds[dsOff + j] = scale * probs[pOff + j] * (ds[dsOff + j] - pdp);
            }
        }
        Sgemm.sgemm(one, false, false, tq, hs, tk, 1f, ds, 0, tk, k, kBase, kc, betaQ, dq, qBase, c);
        Sgemm.sgemm(one, true, false, tk, hs, tq, 1f, ds, 0, tk, q, qBase, c, betaKv, dk, kBase, kc);
        if (dropped != null) {
            Sgemm.sgemm(one, true, false, tk, hs, tq, 1f, dropped, 0, tk, dout, qBase, c, betaKv, dv, kBase, kc);
        } else {
            Sgemm.sgemm(one, true, false, tk, hs, tq, 1f, probs, pBase, tk, dout, qBase, c, betaKv, dv, kBase, kc);
        }
    }

    /** (Batch row, head) pairs per parallel chunk: enough that a chunk holds at least MIN_CHUNK_WORK. */
    private static int grain(int tq, int tk, int hs) {
        return (int) Math.max(1, MIN_CHUNK_WORK / Math.max(1L, (long) tq * tk * hs));
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
     * Softmax of {@code a[off, off + len)} in place ({@code len} a multiple of the vector length), -inf entries giving
     * 0; a row of nothing but -inf (no key visible) becomes zeros.
     */
    private static void softmaxInPlace(float[] a, int off, int len) {
        int end = off + len;
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = off; j < end; j += L) {
            vmax = vmax.max(FloatVector.fromArray(F, a, j));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX); // exact in any order
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(a, off, end, 0f);
            return;
        }
        FloatVector vm = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        for (int j = off; j < end; j += L) {
            FloatVector e = KernelMath.exp(FloatVector.fromArray(F, a, j).sub(vm));
            acc = acc.add(e);
            e.intoArray(a, j);
        }
        float inv = 1f / KernelMath.sumLanes(acc);
        for (int j = off; j < end; j += L) {
            FloatVector.fromArray(F, a, j).mul(inv).intoArray(a, j);
        }
    }

    private static void checkShapes(String name, float[] q, float[] k, float[] v, int b, int tq, int tk, int c, int heads,
                                    int kvHeads, int[] keyMask, float[] probs) {
        KernelArgs.nonNegative(name, "b", b);
        KernelArgs.nonNegative(name, "tq", tq);
        KernelArgs.nonNegative(name, "tk", tk);
        KernelArgs.positive(name, "c", c);
        KernelArgs.positive(name, "heads", heads);
        if (c % heads != 0) {
            throw new IllegalArgumentException(name + ": heads (" + heads + ") must divide the channel count c (" + c
                    + "); choose a head count that divides it");
        }
        KernelArgs.positive(name, "kvHeads", kvHeads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": kvHeads (" + kvHeads + ") must divide heads (" + heads
                    + "); each key/value head serves heads/kvHeads query heads");
        }
        long kc = (long) (c / heads) * kvHeads;
        KernelArgs.length(name, "q", q, (long) b * tq * c);
        KernelArgs.length(name, "k", k, b * tk * kc);
        KernelArgs.length(name, "v", v, b * tk * kc);
        if (probs != null) {
            KernelArgs.length(name, "probs", probs, (long) b * heads * tq * tk);
        }
        if (keyMask != null) {
            KernelArgs.length(name, "keyMask", keyMask, (long) b * tk);
        }
    }
}
