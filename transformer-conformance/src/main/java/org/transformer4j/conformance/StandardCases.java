package org.transformer4j.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.layers.RopeScaling;
import org.transformer4j.nn.layers.RotaryEmbedding;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The built-in catalogue: one case per {@link Ops} forward method and its variants, on seeded random inputs
 * of deliberately odd sizes (B=2, T=7, C=12, 3 heads of 4, V=33, 17 output features) so that an implementation
 * that silently assumes powers of two or square matrices shows up.
 */
final class StandardCases {
    static final int B = 2;
    static final int T = 7;
    static final int C = 12;
    static final int HEADS = 3;
    static final int V = 33;
    static final int OUT = 17;
    static final int T_QUERY = 3;
    static final int IGNORE = -100;
    static final float LN_EPS = 1e-5f;

    private StandardCases() {
    }

    static List<ConformanceCase> all() {
        Tolerance tol = Tolerance.FLOAT32_LAYER;
        List<ConformanceCase> cases = new ArrayList<>();
        cases.add(OpCase.of("embedding", "row lookup: table [" + V + ", " + C + "], ids [" + B + ", " + T + "]",
                tol, () -> List.of(normal(1, 1, 0, V, C), ids(2, V, B, T)),
                (ops, in) -> one(ops.embedding(in.get(0), in.get(1)))));
        cases.add(OpCase.of("embedding_positions", "position lookup: table [" + T + ", " + C + "], ids [" + T
                + "] = 0.." + (T - 1) + " giving [" + T + ", " + C + "]", tol,
                () -> List.of(normal(25, 1, 0, T, C), HostTensor.ofInts(Shape.of(T), java.util.stream.IntStream.range(0, T).toArray())),
                (ops, in) -> one(ops.embedding(in.get(0), in.get(1)))));
        cases.add(OpCase.of("linear", "x [" + B + ", " + T + ", " + C + "] · weight [" + OUT + ", " + C
                + "]ᵀ + bias [" + OUT + "]", tol,
                () -> List.of(normal(3, 1, 0, B, T, C), normal(4, 0.3, 0, OUT, C), normal(5, 0.5, 0, OUT)),
                (ops, in) -> one(ops.linear(in.get(0), in.get(1), in.get(2)))));
        cases.add(OpCase.of("linear_no_bias", "x [" + B + ", " + T + ", " + C + "] · weight [" + OUT + ", " + C
                + "]ᵀ, bias null", tol,
                () -> List.of(normal(6, 1, 0, B, T, C), normal(7, 0.3, 0, OUT, C)),
                (ops, in) -> one(ops.linear(in.get(0), in.get(1), null))));
        cases.add(OpCase.of("layer_norm", "layer norm over C=" + C + " of x [" + B + ", " + T + ", " + C
                + "] (mean 0.5, std 2), gamma and beta, eps " + LN_EPS, tol,
                () -> List.of(normal(8, 2, 0.5, B, T, C), normal(9, 0.1, 1, C), normal(10, 0.1, 0, C)),
                (ops, in) -> one(ops.layerNorm(in.get(0), in.get(1), in.get(2), LN_EPS))));
        cases.add(OpCase.of("layer_norm_no_beta", "layer norm of x [" + B + ", " + T + ", " + C
                + "], beta null, eps " + LN_EPS, tol,
                () -> List.of(normal(11, 2, 0.5, B, T, C), normal(12, 0.1, 1, C)),
                (ops, in) -> one(ops.layerNorm(in.get(0), in.get(1), null, LN_EPS))));
        cases.add(OpCase.of("add", "element-wise sum of two [" + B + ", " + T + ", " + C + "]", tol,
                () -> List.of(normal(13, 1, 0, B, T, C), normal(14, 1, 0, B, T, C)),
                (ops, in) -> one(ops.add(in.get(0), in.get(1)))));
        cases.add(OpCase.of("add_broadcast_channels", "[" + B + ", " + T + ", " + C + "] + [" + C
                + "] broadcast over batch and time", tol,
                () -> List.of(normal(15, 1, 0, B, T, C), normal(16, 1, 0, C)),
                (ops, in) -> one(ops.add(in.get(0), in.get(1)))));
        cases.add(OpCase.of("add_broadcast_time", "[" + B + ", " + T + ", " + C + "] + [" + T + ", " + C
                + "] (positional embeddings) broadcast over batch", tol,
                () -> List.of(normal(17, 1, 0, B, T, C), normal(18, 1, 0, T, C)),
                (ops, in) -> one(ops.add(in.get(0), in.get(1)))));
        float factor = (float) Math.sqrt(C);
        cases.add(OpCase.of("scale", "x [" + B + ", " + T + ", " + C + "] times sqrt(" + C + ")", tol,
                () -> List.of(normal(19, 1, 0, B, T, C)),
                (ops, in) -> one(ops.scale(in.get(0), factor))));
        cases.add(OpCase.of("gelu", "exact (erf) GELU of x [" + B + ", " + T + ", " + C + "] uniform in [-6, 6]",
                tol, () -> List.of(uniform(20, -6, 6, B, T, C)),
                (ops, in) -> one(ops.gelu(in.get(0)))));
        cases.add(OpCase.of("relu", "ReLU of x [" + B + ", " + T + ", " + C + "]", tol,
                () -> List.of(normal(21, 1, 0, B, T, C)),
                (ops, in) -> one(ops.relu(in.get(0)))));
        cases.add(OpCase.of("split", "[" + B + ", " + T + ", " + 3 * C + "] split into 3 along the last axis", tol,
                () -> List.of(normal(22, 1, 0, B, T, 3 * C)),
                (ops, in) -> ops.split(in.get(0), 3)));
        cases.add(OpCase.of("concat_time", "cache [" + B + ", " + T + ", " + C + "] joined with a step ["
                + B + ", 1, " + C + "] along time", tol,
                () -> List.of(normal(23, 1, 0, B, T, C), normal(24, 1, 0, B, 1, C)),
                (ops, in) -> one(ops.concatTime(in.get(0), in.get(1)))));
        cases.add(attention("attention", "self-attention", 30, T, false, false, tol));
        cases.add(attention("attention_causal", "causal self-attention", 31, T, true, false, tol));
        cases.add(attention("attention_causal_kv_cache", "causal attention of the last " + T_QUERY
                + " queries (positions " + (T - T_QUERY) + ".." + (T - 1) + ") over " + T + " cached keys", 32,
                T_QUERY, true, false, tol));
        cases.add(attention("attention_key_mask", "attention with a key mask (batch 1 pads its last 3 keys)", 33,
                T, false, true, tol));
        cases.add(attention("attention_causal_key_mask", "causal attention with a key mask (batch 1 pads its "
                + "last 3 keys)", 34, T, true, true, tol));
        cases.addAll(llamaFamily(tol));
        cases.add(OpCase.of("cross_entropy", "mean cross-entropy of logits [" + B + ", " + T + ", " + V
                + "] (std 3) against targets [" + B + ", " + T + "]", tol,
                () -> List.of(normal(40, 3, 0, B, T, V), ids(41, V, B, T)),
                (ops, in) -> one(ops.crossEntropy(in.get(0), in.get(1), IGNORE))));
        cases.add(OpCase.of("cross_entropy_ignore_index", "mean cross-entropy of logits [" + B + ", " + T + ", "
                + V + "] over the targets that are not ignoreIndex " + IGNORE + " (5 of 14 ignored)", tol,
                () -> List.of(normal(42, 3, 0, B, T, V), idsWithIgnored(43)),
                (ops, in) -> one(ops.crossEntropy(in.get(0), in.get(1), IGNORE))));
        return cases;
    }

    private static ConformanceCase attention(String name, String what, long seed, int tq, boolean causal,
            boolean masked, Tolerance tol) {
        String desc = what + ": q [" + B + ", " + tq + ", " + C + "], k and v [" + B + ", " + T + ", " + C + "], "
                + HEADS + " heads of " + C / HEADS;
        return OpCase.of(name, desc, tol, () -> {
            List<HostTensor> in = new ArrayList<>(List.of(normal(seed, 1, 0, B, tq, C),
                    normal(seed + 100, 1, 0, B, T, C), normal(seed + 200, 1, 0, B, T, C)));
            if (masked) {
                in.add(paddingMask());
            }
            return in;
        }, (ops, in) -> one(ops.attention(in.get(0), in.get(1), in.get(2), HEADS, causal,
                masked ? in.get(3) : null)));
    }

    /**
     * The Llama family's layers: RMSNorm, SiLU, the element-wise product, rotary embedding (llama3-scaled angles of
     * real positions, shared by the batch and per token) and grouped-query attention (4 query heads of 3 sharing 2
     * key/value heads).
     */
    private static List<ConformanceCase> llamaFamily(Tolerance tol) {
        List<ConformanceCase> cases = new ArrayList<>();
        cases.add(OpCase.of("rms_norm", "RMS norm over C=" + C + " of x [" + B + ", " + T + ", " + C
                + "] (mean 0.5, std 2), gamma, eps 1e-6", tol,
                () -> List.of(normal(50, 2, 0.5, B, T, C), normal(51, 0.1, 1, C)),
                (ops, in) -> one(ops.rmsNorm(in.get(0), in.get(1), 1e-6f))));
        cases.add(OpCase.of("silu", "SiLU of x [" + B + ", " + T + ", " + C + "] uniform in [-8, 8]", tol,
                () -> List.of(uniform(52, -8, 8, B, T, C)), (ops, in) -> one(ops.silu(in.get(0)))));
        cases.add(OpCase.of("multiply", "element-wise product of two [" + B + ", " + T + ", " + C + "]", tol,
                () -> List.of(normal(53, 1, 0, B, T, C), normal(54, 1, 0, B, T, C)),
                (ops, in) -> one(ops.multiply(in.get(0), in.get(1)))));
        cases.add(OpCase.of("multiply_broadcast_channels", "[" + B + ", " + T + ", " + C + "] times [" + C
                + "] broadcast over batch and time", tol,
                () -> List.of(normal(55, 1, 0, B, T, C), normal(56, 1, 0, C)),
                (ops, in) -> one(ops.multiply(in.get(0), in.get(1)))));
        RotaryEmbedding rope = new RotaryEmbedding(C / HEADS, 500000.0, RopeScaling.llama3(8, 1, 4, 16));
        cases.add(OpCase.of("rotary", "rotary embedding of x [" + B + ", " + T + ", " + C + "], " + HEADS
                + " heads of " + C / HEADS + ", positions 0.." + (T - 1) + " shared by the batch (theta 5e5, llama3 "
                + "scaling)", tol, () -> {
                    HostTensor[] t = rope.hostTables(RotaryEmbedding.range(0, T), T);
                    return List.of(normal(57, 1, 0, B, T, C), t[0], t[1]);
                }, (ops, in) -> one(ops.rotary(in.get(0), in.get(1), in.get(2), HEADS))));
        int[] positions = new int[B * T];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i < T ? 3 + i : Math.max(0, i - T - 2); // row 1 left-padded: positions 0,0,0,1,2,...
        }
        cases.add(OpCase.of("rotary_position_ids", "rotary embedding of x [" + B + ", " + T + ", " + C
                + "] at per-token position ids [" + B + ", " + T + "] (row 0 from 3, row 1 left-padded)", tol, () -> {
                    HostTensor[] t = rope.hostTables(positions, B, T);
                    return List.of(normal(58, 1, 0, B, T, C), t[0], t[1]);
                }, (ops, in) -> one(ops.rotary(in.get(0), in.get(1), in.get(2), HEADS))));
        int gqaHeads = 4;
        int kvHeads = 2;
        int kc = C / gqaHeads * kvHeads;
        cases.add(OpCase.of("attention_grouped_query_causal", "causal grouped-query attention: q [" + B + ", " + T
                + ", " + C + "] with " + gqaHeads + " heads, k and v [" + B + ", " + T + ", " + kc + "] with " + kvHeads
                + " key/value heads", tol,
                () -> List.of(normal(60, 1, 0, B, T, C), normal(61, 1, 0, B, T, kc), normal(62, 1, 0, B, T, kc)),
                (ops, in) -> one(ops.attention(in.get(0), in.get(1), in.get(2), gqaHeads, kvHeads, true, null))));
        cases.add(OpCase.of("attention_grouped_query_kv_cache_key_mask", "grouped-query attention of the last "
                + T_QUERY + " queries over " + T + " cached keys of " + kvHeads + " key/value heads, causal, batch 1 "
                + "padding its last 3 keys", tol,
                () -> List.of(normal(63, 1, 0, B, T_QUERY, C), normal(64, 1, 0, B, T, kc), normal(65, 1, 0, B, T, kc),
                        paddingMask()),
                (ops, in) -> one(ops.attention(in.get(0), in.get(1), in.get(2), gqaHeads, kvHeads, true, in.get(3)))));
        return cases;
    }

    /** Batch 0 attends to every key; batch 1 pads its last 3 (key 0 stays visible, so no row is empty). */
    private static HostTensor paddingMask() {
        int[] m = new int[B * T];
        for (int j = 0; j < T; j++) {
            m[j] = 1;
            m[T + j] = j < T - 3 ? 1 : 0;
        }
        return HostTensor.ofInts(Shape.of(B, T), m);
    }

    private static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }

    static HostTensor normal(long seed, double std, double mean, int... dims) {
        Random r = new Random(seed);
        Shape s = Shape.of(dims);
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * r.nextGaussian());
        }
        return HostTensor.ofFloats(s, v);
    }

    private static HostTensor uniform(long seed, double lo, double hi, int... dims) {
        Random r = new Random(seed);
        Shape s = Shape.of(dims);
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return HostTensor.ofFloats(s, v);
    }

    static HostTensor ids(long seed, int vocab, int... dims) {
        Random r = new Random(seed);
        Shape s = Shape.of(dims);
        int[] v = new int[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(vocab);
        }
        return HostTensor.ofInts(s, v);
    }

    private static HostTensor idsWithIgnored(long seed) {
        HostTensor t = ids(seed, V, B, T);
        int[] v = t.ints().clone();
        for (int i : new int[] {0, 5, 6, 9, 13}) {
            v[i] = IGNORE;
        }
        return HostTensor.ofInts(t.shape(), v);
    }
}
