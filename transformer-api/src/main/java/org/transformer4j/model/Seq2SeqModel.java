package org.transformer4j.model;

import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.nn.NormPlacement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.nn.layers.Embedding;
import org.transformer4j.nn.layers.FeedForward;
import org.transformer4j.nn.layers.LayerNorm;
import org.transformer4j.nn.layers.Linear;
import org.transformer4j.nn.layers.MultiHeadAttention;
import org.transformer4j.nn.layers.PositionalEncoding;
import org.transformer4j.nn.layers.Residual;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The encoder-decoder Transformer of "Attention Is All You Need", composed once from the layer contracts.
 * Encoder blocks: self-attention (source padding masked) and feed-forward; decoder blocks: causal
 * self-attention, cross-attention to the encoder output, feed-forward; each sub-layer residual with
 * post-LN (the paper) or pre-LN (then a final norm per stack). Token embeddings are scaled by sqrt(d_model)
 * with sinusoidal positions, as in the paper.
 *
 * <p>Weight names (fairseq/BART style; {@code N} is the layer index):
 * <table>
 *   <caption>Encoder-decoder weights</caption>
 *   <tr><th>name</th><th>shape</th><th>when</th></tr>
 *   <tr><td>{@code encoder.embed_tokens.weight}, {@code decoder.embed_tokens.weight}</td><td>[V, C]</td><td>always</td></tr>
 *   <tr><td>{@code encoder.embed_positions.weight}, {@code decoder.embed_positions.weight}</td><td>[context, C]</td><td>learned positions</td></tr>
 *   <tr><td>{@code encoder.layers.N.self_attn.{q_proj,k_proj,v_proj,out_proj}.weight / .bias}</td><td>[C, C] / [C]</td><td>bias if {@code bias}</td></tr>
 *   <tr><td>{@code encoder.layers.N.self_attn_layer_norm.weight / .bias}</td><td>[C]</td><td></td></tr>
 *   <tr><td>{@code encoder.layers.N.fc1.weight / .bias}, {@code encoder.layers.N.fc2.weight / .bias}</td><td>[F, C] / [C, F]</td><td></td></tr>
 *   <tr><td>{@code encoder.layers.N.final_layer_norm.weight / .bias}</td><td>[C]</td><td></td></tr>
 *   <tr><td>{@code decoder.layers.N.self_attn.*}, {@code .self_attn_layer_norm}</td><td>as the encoder's</td><td></td></tr>
 *   <tr><td>{@code decoder.layers.N.cross_attn.{q_proj,k_proj,v_proj,out_proj}}, {@code .cross_attn_layer_norm}</td><td>[C, C], [C]</td><td></td></tr>
 *   <tr><td>{@code decoder.layers.N.fc1}, {@code .fc2}, {@code .final_layer_norm}</td><td>as the encoder's</td><td></td></tr>
 *   <tr><td>{@code encoder.layer_norm}, {@code decoder.layer_norm}</td><td>[C]</td><td>pre-LN only</td></tr>
 *   <tr><td>{@code lm_head.weight}</td><td>[V, C]</td><td>untied only (tied: {@code decoder.embed_tokens.weight})</td></tr>
 * </table>
 *
 * <p>Training inputs ({@link #inputNames()}), int32: {@code src_ids [B, S]}, {@code src_mask [B, S]} (1 real
 * token, 0 padding), {@code tgt_in [B, T]} (the target shifted right, starting with BOS) and
 * {@code targets [B, T]} ({@link GptModel#IGNORE_INDEX} at padding).
 */
public final class Seq2SeqModel implements TrainableModel {
    private final Seq2SeqConfig config;
    private final Embedding srcEmbed;
    private final Embedding tgtEmbed;
    private final PositionalEncoding srcPositions;
    private final PositionalEncoding tgtPositions;
    private final List<EncoderLayer> encoder = new ArrayList<>();
    private final List<DecoderLayer> decoder = new ArrayList<>();
    private final LayerNorm encoderNorm;
    private final LayerNorm decoderNorm;
    private final Linear lmHead;

    private record EncoderLayer(MultiHeadAttention selfAttn, LayerNorm selfNorm, FeedForward ffn, LayerNorm ffnNorm) {
    }

    private record DecoderLayer(MultiHeadAttention selfAttn, LayerNorm selfNorm, MultiHeadAttention crossAttn,
                                LayerNorm crossNorm, FeedForward ffn, LayerNorm ffnNorm) {
    }

    /**
     * The model {@code config} describes; it holds no weights (they come as {@link Parameters}).
     *
     * @param config the architecture
     */
    public Seq2SeqModel(Seq2SeqConfig config) {
        this.config = config;
        int c = config.embeddingDim();
        int ctx = config.contextLength();
        boolean bias = config.bias();
        float eps = config.layerNormEps();
        float projStd = (float) (0.02 / Math.sqrt(2.0 * (config.encoderLayers() + config.decoderLayers())));
        boolean learned = config.positionalEncoding() == PositionalEncodingType.LEARNED;
        this.srcEmbed = new Embedding("encoder.embed_tokens", config.vocabSize(), c);
        this.tgtEmbed = new Embedding("decoder.embed_tokens", config.vocabSize(), c);
        this.srcPositions = learned ? PositionalEncoding.learned("encoder.embed_positions", ctx, c) : PositionalEncoding.sinusoidal(ctx, c);
        this.tgtPositions = learned ? PositionalEncoding.learned("decoder.embed_positions", ctx, c) : PositionalEncoding.sinusoidal(ctx, c);
        for (int i = 0; i < config.encoderLayers(); i++) {
            String l = "encoder.layers." + i;
            encoder.add(new EncoderLayer(
                    MultiHeadAttention.separate(l + ".self_attn", c, config.heads(), bias, projStd)
                            .withAttentionDropout(config.dropout()),
                    new LayerNorm(l + ".self_attn_layer_norm", c, bias, eps),
                    new FeedForward(l + ".fc1", l + ".fc2", c, config.feedForwardDim(), bias, config.activation(), projStd),
                    new LayerNorm(l + ".final_layer_norm", c, bias, eps)));
        }
        for (int i = 0; i < config.decoderLayers(); i++) {
            String l = "decoder.layers." + i;
            decoder.add(new DecoderLayer(
                    MultiHeadAttention.separate(l + ".self_attn", c, config.heads(), bias, projStd)
                            .withAttentionDropout(config.dropout()),
                    new LayerNorm(l + ".self_attn_layer_norm", c, bias, eps),
                    MultiHeadAttention.separate(l + ".cross_attn", c, config.heads(), bias, projStd)
                            .withAttentionDropout(config.dropout()),
                    new LayerNorm(l + ".cross_attn_layer_norm", c, bias, eps),
                    new FeedForward(l + ".fc1", l + ".fc2", c, config.feedForwardDim(), bias, config.activation(), projStd),
                    new LayerNorm(l + ".final_layer_norm", c, bias, eps)));
        }
        boolean pre = config.normPlacement() == NormPlacement.PRE;
        this.encoderNorm = pre ? new LayerNorm("encoder.layer_norm", c, bias, eps) : null;
        this.decoderNorm = pre ? new LayerNorm("decoder.layer_norm", c, bias, eps) : null;
        this.lmHead = config.tiedEmbeddings() ? null : new Linear("lm_head", c, config.vocabSize(), false, 0.02f);
    }

    /**
     * The architecture.
     *
     * @return the config
     */
    public Seq2SeqConfig config() {
        return config;
    }

    @Override
    public List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>(srcEmbed.parameterSpecs());
        specs.addAll(srcPositions.parameterSpecs());
        for (EncoderLayer l : encoder) {
            specs.addAll(l.selfAttn.parameterSpecs());
            specs.addAll(l.selfNorm.parameterSpecs());
            specs.addAll(l.ffn.parameterSpecs());
            specs.addAll(l.ffnNorm.parameterSpecs());
        }
        if (encoderNorm != null) {
            specs.addAll(encoderNorm.parameterSpecs());
        }
        specs.addAll(tgtEmbed.parameterSpecs());
        specs.addAll(tgtPositions.parameterSpecs());
        for (DecoderLayer l : decoder) {
            specs.addAll(l.selfAttn.parameterSpecs());
            specs.addAll(l.selfNorm.parameterSpecs());
            specs.addAll(l.crossAttn.parameterSpecs());
            specs.addAll(l.crossNorm.parameterSpecs());
            specs.addAll(l.ffn.parameterSpecs());
            specs.addAll(l.ffnNorm.parameterSpecs());
        }
        if (decoderNorm != null) {
            specs.addAll(decoderNorm.parameterSpecs());
        }
        if (lmHead != null) {
            specs.addAll(lmHead.parameterSpecs());
        }
        return specs;
    }

    @Override
    public List<String> inputNames() {
        return List.of("src_ids", "src_mask", "tgt_in", "targets");
    }

    /**
     * A fresh decoder cache (self- and cross-attention) for incremental decoding.
     *
     * @return an empty cache
     */
    public KvCache newCache() {
        return new KvCache(config.decoderLayers(), true);
    }

    /**
     * The encoder output {@code [B, S, C]} for source ids {@code [B, S]} and their mask (or null: no padding).
     *
     * @param ops the backend's ops
     * @param p the weights
     * @param srcIds int32 source ids {@code [B, S]}
     * @param srcMask int32 {@code [B, S]} (1 real token, 0 padding), or null
     * @return the encoder output
     */
    public Tensor encode(Ops ops, Parameters p, Tensor srcIds, Tensor srcMask) {
        Shape.requireRank("Seq2SeqModel.encode", "src_ids", srcIds.shape(), 2);
        Tensor x = embed(ops, p, srcEmbed, srcPositions, srcIds, 0);
        float drop = config.dropout();
        for (EncoderLayer l : encoder) {
            x = Residual.apply(ops, p, config.normPlacement(), l.selfNorm, drop, x,
                    h -> l.selfAttn.selfAttention(ops, p, h, false, srcMask, null));
            x = Residual.apply(ops, p, config.normPlacement(), l.ffnNorm, drop, x, h -> l.ffn.forward(ops, p, h));
        }
        return encoderNorm != null ? encoderNorm.forward(ops, p, x) : x;
    }

    /**
     * Decoder logits {@code [B, T, V]} for target ids {@code [B, T]} given the encoder output. With a cache the
     * ids continue after the cached positions and the memory's keys and values are computed only once.
     *
     * @param ops the backend's ops
     * @param p the weights
     * @param tgtIds int32 target ids {@code [B, T]}
     * @param memory the encoder output {@code [B, S, C]}
     * @param srcMask the source mask, or null
     * @param cache the decoder cache, grown by T; or null
     * @return the logits {@code [B, T, V]}
     */
    public Tensor decode(Ops ops, Parameters p, Tensor tgtIds, Tensor memory, Tensor srcMask, KvCache cache) {
        Shape.requireRank("Seq2SeqModel.decode", "tgt_ids", tgtIds.shape(), 2);
        int offset = cache == null ? 0 : cache.length();
        Tensor x = embed(ops, p, tgtEmbed, tgtPositions, tgtIds, offset);
        float drop = config.dropout();
        for (int i = 0; i < decoder.size(); i++) {
            DecoderLayer l = decoder.get(i);
            var selfCache = cache == null ? null : cache.self(i);
            var crossCache = cache == null ? null : cache.cross(i);
            x = Residual.apply(ops, p, config.normPlacement(), l.selfNorm, drop, x,
                    h -> l.selfAttn.selfAttention(ops, p, h, true, null, selfCache));
            x = Residual.apply(ops, p, config.normPlacement(), l.crossNorm, drop, x,
                    h -> l.crossAttn.crossAttention(ops, p, h, memory, srcMask, crossCache));
            x = Residual.apply(ops, p, config.normPlacement(), l.ffnNorm, drop, x, h -> l.ffn.forward(ops, p, h));
        }
        if (decoderNorm != null) {
            x = decoderNorm.forward(ops, p, x);
        }
        return lmHead != null ? lmHead.forward(ops, p, x) : ops.linear(x, p.get(tgtEmbed.weightName()), null);
    }

    @Override
    public Tensor loss(Ops ops, Parameters p, Map<String, Tensor> inputs) {
        Tensor srcMask = GptModel.require(inputs, "src_mask");
        Tensor memory = encode(ops, p, GptModel.require(inputs, "src_ids"), srcMask);
        Tensor logits = decode(ops, p, GptModel.require(inputs, "tgt_in"), memory, srcMask, null);
        return ops.crossEntropy(logits, GptModel.require(inputs, "targets"), GptModel.IGNORE_INDEX);
    }

    private Tensor embed(Ops ops, Parameters p, Embedding table, PositionalEncoding pos, Tensor ids, int offset) {
        int t = ids.shape().dim(1);
        if (t == 0) {
            throw new IllegalArgumentException("Seq2SeqModel: an input has no tokens; give at least one");
        }
        Tensor x = table.forward(ops, p, ids);
        if (!pos.isLearned()) {
            x = ops.scale(x, (float) Math.sqrt(config.embeddingDim()));
        }
        return ops.dropout(ops.add(x, pos.forward(ops, p, offset, t)), config.dropout());
    }
}
