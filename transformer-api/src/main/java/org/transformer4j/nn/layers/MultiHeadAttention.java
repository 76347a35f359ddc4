package org.transformer4j.nn.layers;

import java.util.ArrayList;
import java.util.List;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Tensor;

/**
 * Multi-head attention with its projections, in one of two weight layouts:
 * <ul>
 *   <li>{@link #fused}: GPT-2/nanoGPT, {@code <name>.c_attn [3C, C]} (queries, keys, values stacked) and
 *       {@code <name>.c_proj [C, C]}; self-attention only.</li>
 *   <li>{@link #separate}: {@code <name>.q_proj}, {@code k_proj}, {@code v_proj}, {@code out_proj}, each
 *       {@code [C, C]}; self- or cross-attention (the encoder-decoder).</li>
 * </ul>
 * With an {@link AttentionCache}, self-attention appends this call's keys and values to the cache and
 * attends over all of them (incremental decoding); cross-attention computes the memory's keys and values
 * on the first call and reuses them after.
 */
public final class MultiHeadAttention {
    private final int heads;
    private final boolean fusedLayout;
    private final Linear qkv;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final float dropout;

    private MultiHeadAttention(int heads, boolean fusedLayout, Linear qkv, Linear q, Linear k, Linear v, Linear out,
                               float dropout) {
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("attention dropout must be in [0, 1), was " + dropout);
        }
        this.dropout = dropout;
        this.heads = heads;
        this.fusedLayout = fusedLayout;
        this.qkv = qkv;
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
    }

    /**
     * GPT-2 layout; {@code projStd} is the init std of {@code c_proj} (nanoGPT scales it by 1/sqrt(2·layers)).
     *
     * @param name the prefix, e.g. {@code transformer.h.0.attn}
     * @param dim C
     * @param heads number of heads; divides C
     * @param bias whether the projections have biases
     * @param projStd the init std of the output projection
     * @return the layer
     */
    public static MultiHeadAttention fused(String name, int dim, int heads, boolean bias, float projStd) {
        return new MultiHeadAttention(heads, true, new Linear(name + ".c_attn", dim, 3 * dim, bias, 0.02f),
                null, null, null, new Linear(name + ".c_proj", dim, dim, bias, projStd), 0f);
    }

    /**
     * Separate q/k/v/out projections.
     *
     * @param name the prefix, e.g. {@code encoder.layers.0.self_attn}
     * @param dim C
     * @param heads number of heads; divides C
     * @param bias whether the projections have biases
     * @param projStd the init std of the output projection
     * @return the layer
     */
    public static MultiHeadAttention separate(String name, int dim, int heads, boolean bias, float projStd) {
        return new MultiHeadAttention(heads, false, null,
                new Linear(name + ".q_proj", dim, dim, bias, 0.02f),
                new Linear(name + ".k_proj", dim, dim, bias, 0.02f),
                new Linear(name + ".v_proj", dim, dim, bias, 0.02f),
                new Linear(name + ".out_proj", dim, dim, bias, projStd), 0f);
    }

    /**
     * This layer with dropout {@code p} on its attention probabilities while training (nanoGPT's {@code attn_dropout};
     * the models use their config's {@code dropout}). No weights change.
     *
     * @param p the drop probability, in [0, 1)
     * @return a new layer
     */
    public MultiHeadAttention withAttentionDropout(float p) {
        return new MultiHeadAttention(heads, fusedLayout, qkv, q, k, v, out, p);
    }

    /**
     * The projections' weights.
     *
     * @return the specs
     */
    public List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>();
        if (fusedLayout) {
            specs.addAll(qkv.parameterSpecs());
        } else {
            specs.addAll(q.parameterSpecs());
            specs.addAll(k.parameterSpecs());
            specs.addAll(v.parameterSpecs());
        }
        specs.addAll(out.parameterSpecs());
        return specs;
    }

    /**
     * Self-attention of {@code x [B, T, C]}.
     *
     * @param causal  mask future positions (decoders)
     * @param keyMask int32 {@code [B, Tk]} (1 attend, 0 padding) over all keys including cached ones, or null
     * @param cache   the layer's cache for incremental decoding, or null
     * @param ops the backend's ops
     * @param p the weights
     * @param x the input {@code [B, T, C]}
     * @return {@code [B, T, C]}
     */
    public Tensor selfAttention(Ops ops, Parameters p, Tensor x, boolean causal, Tensor keyMask, AttentionCache cache) {
        Tensor qs;
        Tensor ks;
        Tensor vs;
        if (fusedLayout) {
            Tensor[] parts = ops.split(qkv.forward(ops, p, x), 3);
            qs = parts[0];
            ks = parts[1];
            vs = parts[2];
        } else {
            qs = q.forward(ops, p, x);
            ks = k.forward(ops, p, x);
            vs = v.forward(ops, p, x);
        }
        if (cache != null) {
            if (!cache.isEmpty()) {
                ks = ops.appendTime(cache.keys(), ks);
                vs = ops.appendTime(cache.values(), vs);
            }
            cache.set(ks, vs);
        }
        return out.forward(ops, p, ops.attention(qs, ks, vs, heads, causal, keyMask, dropout));
    }

    /**
     * Cross-attention of decoder states {@code x [B, T, C]} to encoder output {@code memory [B, S, C]}.
     *
     * @param memoryMask int32 {@code [B, S]} marking real source tokens (1) and padding (0), or null
     * @param cache      holds the memory's keys and values after the first call, or null
     * @param ops the backend's ops
     * @param p the weights
     * @param x the decoder states
     * @param memory the encoder output
     * @return {@code [B, T, C]}
     */
    public Tensor crossAttention(Ops ops, Parameters p, Tensor x, Tensor memory, Tensor memoryMask, AttentionCache cache) {
        if (fusedLayout) {
            throw new IllegalStateException("cross-attention needs separate q/k/v projections, not the fused GPT layout");
        }
        Tensor qs = q.forward(ops, p, x);
        Tensor ks;
        Tensor vs;
        if (cache != null && !cache.isEmpty()) {
            ks = cache.keys();
            vs = cache.values();
        } else {
            ks = k.forward(ops, p, memory);
            vs = v.forward(ops, p, memory);
            if (cache != null) {
                cache.set(ks, vs);
            }
        }
        return out.forward(ops, p, ops.attention(qs, ks, vs, heads, false, memoryMask, dropout));
    }
}
