package org.transformer4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.nn.layers.Embedding;
import org.transformer4j.nn.layers.GatedFeedForward;
import org.transformer4j.nn.layers.GroupedQueryAttention;
import org.transformer4j.nn.layers.Linear;
import org.transformer4j.nn.layers.RmsNorm;
import org.transformer4j.nn.layers.RotaryEmbedding;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * A Llama-family decoder (HF's {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}, {@code MistralForCausalLM}),
 * composed once from the layer contracts as HF's {@code modeling_llama.py}:
 * <pre>
 *   x = embed_tokens(ids)
 *   each layer:  h = x + o_proj(attention(rope(q_proj(n)), rope(k_proj(n)), v_proj(n)))   n = input_layernorm(x)
 *                x = h + down_proj(silu(gate_proj(m)) · up_proj(m))                         m = post_attention_layernorm(h)
 *   logits = lm_head(norm(x))      (lm_head tied to embed_tokens with tie_word_embeddings)
 * </pre>
 * with RMSNorm, rotary positions ({@code rope_theta}, {@code rope_scaling}) and grouped-query attention (the key/value
 * cache holds {@code num_key_value_heads} heads). Weight names are HF's, so an HF state dict loads as it is:
 * {@code model.embed_tokens.weight [V, C]}, {@code model.layers.N.self_attn.{q,k,v,o}_proj.weight} (and q/k/v
 * {@code .bias} for Qwen2), {@code model.layers.N.mlp.{gate,up,down}_proj.weight},
 * {@code model.layers.N.{input,post_attention}_layernorm.weight}, {@code model.norm.weight} and
 * {@code lm_head.weight} unless tied. Fresh weights follow HF's init: N(0, 0.02²), norms 1.
 *
 * <p>Training inputs ({@link #inputNames()}): {@code input_ids} and {@code targets}, int32 {@code [B, T]}; targets
 * equal to {@link GptModel#IGNORE_INDEX} do not count in the loss.
 */
public final class LlamaModel implements DecoderModel {
    private static final float STD = 0.02f;

    private final LlamaConfig config;
    private final Embedding embed;
    private final RotaryEmbedding rope;
    private final List<Layer> layers = new ArrayList<>();
    private final RmsNorm norm;
    private final Linear lmHead;

    private record Layer(RmsNorm inputNorm, GroupedQueryAttention attn, RmsNorm postNorm, GatedFeedForward mlp) {
    }

    /**
     * The model of a config, with HF's weight names.
     *
     * @param config the architecture
     */
    public LlamaModel(LlamaConfig config) {
        this.config = config;
        int c = config.hiddenSize();
        this.embed = new Embedding("model.embed_tokens", config.vocabSize(), c);
        this.rope = new RotaryEmbedding(config.headDim(), config.ropeTheta(), config.ropeScaling());
        for (int i = 0; i < config.layers(); i++) {
            String l = "model.layers." + i;
            layers.add(new Layer(
                    new RmsNorm(l + ".input_layernorm", c, config.rmsNormEps()),
                    new GroupedQueryAttention(l + ".self_attn", c, config.heads(), config.kvHeads(), config.headDim(),
                            config.attentionBias(), config.outputBias(), STD),
                    new RmsNorm(l + ".post_attention_layernorm", c, config.rmsNormEps()),
                    new GatedFeedForward(l + ".mlp", c, config.intermediateSize(), config.mlpBias(), STD)));
        }
        this.norm = new RmsNorm("model.norm", c, config.rmsNormEps());
        this.lmHead = config.tieWordEmbeddings() ? null : new Linear("lm_head", c, config.vocabSize(), false, STD);
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    /** {@return the rotary embedding of this model's heads: its inverse frequencies and tables} */
    public RotaryEmbedding rotaryEmbedding() {
        return rope;
    }

    @Override
    public List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>(embed.parameterSpecs());
        for (Layer l : layers) {
            specs.addAll(l.attn.parameterSpecs());
            specs.addAll(l.mlp.parameterSpecs());
            specs.addAll(l.inputNorm.parameterSpecs());
            specs.addAll(l.postNorm.parameterSpecs());
        }
        specs.addAll(norm.parameterSpecs());
        if (lmHead != null) {
            specs.addAll(lmHead.parameterSpecs());
        }
        return specs;
    }

    @Override
    public List<String> inputNames() {
        return List.of("input_ids", "targets");
    }

    /** A fresh cache for incremental decoding: per layer, the rotated keys and the values of the key/value heads. */
    @Override
    public KvCache newCache() {
        return new KvCache(config.layers(), false);
    }

    /** The cached keys' width: only the key/value heads, {@code num_key_value_heads · head_dim}. */
    @Override
    public int kvWidth() {
        return config.kvHeads() * config.headDim();
    }

    /**
     * Logits without a cache or padding, positions from 0.
     *
     * @param ops the backend's ops
     * @param p   the weights
     * @param ids int32 token ids {@code [B, T]}
     * @return logits {@code [B, T, V]}
     */
    public Tensor logits(Ops ops, Parameters p, Tensor ids) {
        return logits(ops, p, ids, null, null, null);
    }

    /**
     * Logits {@code [B, T, V]} for token ids {@code [B, T]}, the same API as {@link GptModel#logits(Ops, Parameters,
     * Tensor, Tensor, KvCache, Tensor)}.
     *
     * @param ops         the backend's ops
     * @param p           the weights
     * @param ids         int32 token ids {@code [B, T]}, T at least 1
     * @param positionIds int32 {@code [B, T]} with values in {@code [0, max_position_embeddings)}: each token's
     *                    rotary position (left-padded batches start each row's real tokens at 0); or null for the
     *                    positions following the cache ({@code cached .. cached + T - 1}, every row alike). They are
     *                    read back to the host (one int per token) to be checked and to tabulate the angles.
     * @param cache       the key/value cache, grown by T; or null
     * @param keyMask     int32 {@code [B, cached + T]} (1 real token, 0 padding), or null
     * @return logits {@code [B, T, V]}
     * @throws IllegalArgumentException when there are no tokens or a position is outside
     *     {@code [0, max_position_embeddings)}
     */
    public Tensor logits(Ops ops, Parameters p, Tensor ids, Tensor positionIds, KvCache cache, Tensor keyMask) {
        return logits(ops, p, ids, positionIds, cache, keyMask, false);
    }

    /**
     * As {@link #logits(Ops, Parameters, Tensor, Tensor, KvCache, Tensor)}; with {@code lastOnly} the final norm and
     * the head run on the last position only and the logits are {@code [B, 1, V]} (a prompt does not pay for
     * {@code [B, T, V]} logits that generation does not need).
     */
    @Override
    public Tensor logits(Ops ops, Parameters p, Tensor ids, Tensor positionIds, KvCache cache, Tensor keyMask,
            boolean lastOnly) {
        Shape s = ids.shape();
        Shape.requireRank("LlamaModel.logits", "ids", s, 2);
        int t = s.dim(1);
        if (t == 0) {
            throw new IllegalArgumentException("LlamaModel.logits: the input has no tokens; give at least one");
        }
        int offset = cache == null ? 0 : cache.length();
        int ctx = config.maxPositionEmbeddings();
        Tensor[] tables;
        if (positionIds == null) {
            if (offset + t > ctx) {
                throw new IllegalArgumentException("LlamaModel.logits: positions " + offset + ".." + (offset + t - 1)
                        + " exceed the model's max_position_embeddings " + ctx + "; shorten the input or crop it to the"
                        + " last " + ctx + " tokens");
            }
            tables = rope.tables(ops, RotaryEmbedding.range(offset, t), t);
        } else {
            Shape.requireEqual("LlamaModel.logits", "positionIds (for ids " + s + ")", s, positionIds.shape());
            if (!positionIds.dtype().isInteger()) {
                throw new IllegalArgumentException("LlamaModel.logits: positionIds " + positionIds.shape()
                        + " must be INT32 but is " + positionIds.dtype());
            }
            int[] at = positionIds.toIntArray();
            for (int i = 0; i < at.length; i++) {
                if (at[i] < 0 || at[i] >= ctx) {
                    throw new IllegalArgumentException("LlamaModel.logits: position id " + at[i] + " at [" + i / t + ", "
                            + i % t + "] is outside the model's max_position_embeddings [0, " + ctx + "); shorten the "
                            + "input or crop it to the last " + ctx + " tokens");
                }
            }
            tables = rope.tables(ops, at, s.dim(0), t);
        }
        Tensor x = embed.forward(ops, p, ids);
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            var layerCache = cache == null ? null : cache.self(i);
            Tensor a = l.attn.forward(ops, p, l.inputNorm.forward(ops, p, x), tables[0], tables[1], keyMask, layerCache);
            Tensor h = ops.add(x, a);
            x = ops.add(h, l.mlp.forward(ops, p, l.postNorm.forward(ops, p, h)));
        }
        if (lastOnly && t > 1) {
            x = GptModel.lastPosition(ops, x);
        }
        x = norm.forward(ops, p, x);
        return lmHead != null ? lmHead.forward(ops, p, x) : ops.linear(x, p.get(embed.weightName()), null);
    }

    @Override
    public Tensor loss(Ops ops, Parameters p, Map<String, Tensor> inputs) {
        Tensor ids = GptModel.require(inputs, "input_ids");
        Tensor targets = GptModel.require(inputs, "targets");
        return ops.crossEntropy(logits(ops, p, ids), targets, GptModel.IGNORE_INDEX);
    }
}
