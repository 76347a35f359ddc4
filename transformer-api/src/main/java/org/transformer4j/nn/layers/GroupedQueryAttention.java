package org.transformer4j.nn.layers;

import java.util.ArrayList;
import java.util.List;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Tensor;

/**
 * Causal self-attention of Llama-family models: projections with HF's names {@code <name>.q_proj [heads·hd, C]},
 * {@code k_proj} and {@code v_proj} {@code [kvHeads·hd, C]} and {@code o_proj [C, heads·hd]}; rotary embedding on
 * queries and keys; {@link Ops#attention(Tensor, Tensor, Tensor, int, int, boolean, Tensor) grouped-query
 * attention}. With an {@link AttentionCache}, this call's rotated keys and its values ({@code kvHeads} heads only)
 * are appended to the cache and the queries attend over all of them.
 */
public final class GroupedQueryAttention {
    private final int heads;
    private final int kvHeads;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear o;

    /**
     * The four projections of one attention layer.
     *
     * @param name       prefix of the weight names, e.g. {@code model.layers.0.self_attn}
     * @param dim        model width C
     * @param heads      query heads
     * @param kvHeads    key/value heads, dividing {@code heads} (each serves {@code heads / kvHeads} query heads)
     * @param headDim    width of one head, even
     * @param qkvBias    whether q/k/v have biases (Qwen2, Llama's attention_bias)
     * @param outputBias whether o_proj has one (Llama's attention_bias)
     * @param std        standard deviation of the initial weights
     */
    public GroupedQueryAttention(String name, int dim, int heads, int kvHeads, int headDim, boolean qkvBias,
                                 boolean outputBias, float std) {
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.q = new Linear(name + ".q_proj", dim, heads * headDim, qkvBias, std);
        this.k = new Linear(name + ".k_proj", dim, kvHeads * headDim, qkvBias, std);
        this.v = new Linear(name + ".v_proj", dim, kvHeads * headDim, qkvBias, std);
        this.o = new Linear(name + ".o_proj", heads * headDim, dim, outputBias, std);
    }

    /** {@return the weights (and biases) of q_proj, k_proj, v_proj and o_proj, in that order} */
    public List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>(q.parameterSpecs());
        specs.addAll(k.parameterSpecs());
        specs.addAll(v.parameterSpecs());
        specs.addAll(o.parameterSpecs());
        return specs;
    }

    /**
     * The attention output of this call's tokens, appending their keys and values to {@code cache}.
     *
     * @param ops      the backend's ops
     * @param p        the weights
     * @param x        {@code [B, T, C]}
     * @param cos      the rotary tables of this call's positions ({@link RotaryEmbedding#tables})
     * @param sin      likewise
     * @param keyMask  int32 {@code [B, cached + T]}, or null
     * @param cache    the layer's cache, or null
     * @return {@code [B, T, C]}
     */
    public Tensor forward(Ops ops, Parameters p, Tensor x, Tensor cos, Tensor sin, Tensor keyMask, AttentionCache cache) {
        Tensor qs = ops.rotary(q.forward(ops, p, x), cos, sin, heads);
        Tensor ks = ops.rotary(k.forward(ops, p, x), cos, sin, kvHeads);
        Tensor vs = v.forward(ops, p, x);
        if (cache != null) {
            if (!cache.isEmpty()) {
                ks = ops.appendTime(cache.keys(), ks);
                vs = ops.appendTime(cache.values(), vs);
            }
            cache.set(ks, vs);
        }
        return o.forward(ops, p, ops.attention(qs, ks, vs, heads, kvHeads, true, keyMask));
    }
}
