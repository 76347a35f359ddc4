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
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * A decoder-only GPT, composed once from the layer contracts, as nanoGPT's {@code model.py}:
 * <pre>
 *   x = wte(ids) [· sqrt(C) with sinusoidal positions] + positions;  x = dropout(x)
 *   each block (pre-LN):  x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))
 *              (post-LN): x = ln_1(x + attn(x));  x = ln_2(x + mlp(x))
 *   logits = lm_head(ln_f(x))        (ln_f only with pre-LN)
 * </pre>
 * With {@code dropout > 0}, training drops the embeddings' sum, each residual branch and the attention
 * probabilities (nanoGPT's {@code drop}, {@code resid_dropout} and {@code attn_dropout}) with that probability.
 * Weight names follow nanoGPT, so its state dict saved as safetensors loads as it is:
 * {@code transformer.wte.weight [V,C]}, {@code transformer.wpe.weight [T,C]} (learned positions),
 * {@code transformer.h.N.ln_1.weight/.bias}, {@code transformer.h.N.attn.c_attn.weight [3C,C]/.bias},
 * {@code transformer.h.N.attn.c_proj.weight [C,C]/.bias}, {@code transformer.h.N.ln_2},
 * {@code transformer.h.N.mlp.c_fc.weight [F,C]/.bias}, {@code transformer.h.N.mlp.c_proj.weight [C,F]/.bias},
 * {@code transformer.ln_f}, and {@code lm_head.weight [V,C]} unless tied to {@code transformer.wte.weight}.
 * Initialization follows nanoGPT: N(0, 0.02²), residual projections N(0, (0.02/sqrt(2·n_layer))²).
 *
 * <p>Training inputs ({@link #inputNames()}): {@code input_ids} and {@code targets}, int32 {@code [B, T]};
 * targets equal to {@link #IGNORE_INDEX} do not count in the loss.
 */
public final class GptModel implements DecoderModel {
    /** Targets with this id are left out of the loss (PyTorch's default). */
    public static final int IGNORE_INDEX = -100;

    private final GptConfig config;
    private final Embedding wte;
    private final PositionalEncoding positions;
    private final List<Block> blocks = new ArrayList<>();
    private final LayerNorm lnF;
    private final Linear lmHead;
    private volatile float[] sinusoids;

    private record Block(LayerNorm ln1, MultiHeadAttention attn, LayerNorm ln2, FeedForward mlp) {
    }

    /**
     * The model {@code config} describes; it holds no weights (they come as {@link Parameters}).
     *
     * @param config the architecture
     */
    public GptModel(GptConfig config) {
        this.config = config;
        int c = config.embeddingDim();
        float projStd = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
        this.wte = new Embedding("transformer.wte", config.vocabSize(), c);
        this.positions = config.positionalEncoding() == PositionalEncodingType.LEARNED
                ? PositionalEncoding.learned("transformer.wpe", config.contextLength(), c)
                : PositionalEncoding.sinusoidal(config.contextLength(), c);
        for (int i = 0; i < config.layers(); i++) {
            String h = "transformer.h." + i;
            blocks.add(new Block(
                    new LayerNorm(h + ".ln_1", c, config.bias(), config.layerNormEps()),
                    MultiHeadAttention.fused(h + ".attn", c, config.heads(), config.bias(), projStd)
                            .withAttentionDropout(config.dropout()),
                    new LayerNorm(h + ".ln_2", c, config.bias(), config.layerNormEps()),
                    new FeedForward(h + ".mlp.c_fc", h + ".mlp.c_proj", c, config.feedForwardDim(), config.bias(),
                            config.activation(), projStd)));
        }
        this.lnF = config.normPlacement() == NormPlacement.PRE
                ? new LayerNorm("transformer.ln_f", c, config.bias(), config.layerNormEps()) : null;
        this.lmHead = config.tiedEmbeddings() ? null : new Linear("lm_head", c, config.vocabSize(), false, 0.02f);
    }

    /**
     * The architecture.
     *
     * @return the config
     */
    @Override
    public GptConfig config() {
        return config;
    }

    @Override
    public List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>(wte.parameterSpecs());
        specs.addAll(positions.parameterSpecs());
        for (Block b : blocks) {
            specs.addAll(b.ln1.parameterSpecs());
            specs.addAll(b.attn.parameterSpecs());
            specs.addAll(b.ln2.parameterSpecs());
            specs.addAll(b.mlp.parameterSpecs());
        }
        if (lnF != null) {
            specs.addAll(lnF.parameterSpecs());
        }
        if (lmHead != null) {
            specs.addAll(lmHead.parameterSpecs());
        }
        return specs;
    }

    @Override
    public List<String> inputNames() {
        return List.of("input_ids", "targets");
    }

    /**
     * A fresh cache for incremental decoding.
     *
     * @return an empty cache with one slot per layer
     */
    @Override
    public KvCache newCache() {
        return new KvCache(config.layers(), false);
    }

    /**
     * Logits {@code [B, T, V]} for token ids {@code [B, T]}. With a cache, the ids are the next positions after
     * the cached ones and the cache grows by T; without one, positions start at 0.
     *
     * @param keyMask int32 {@code [B, cached + T]} (1 real token, 0 padding), or null
     * @param ops the backend's ops
     * @param p the weights
     * @param ids int32 token ids {@code [B, T]}
     * @param cache the key/value cache, or null
     * @return the logits {@code [B, T, V]}
     */
    public Tensor logits(Ops ops, Parameters p, Tensor ids, KvCache cache, Tensor keyMask) {
        return logits(ops, p, ids, null, cache, keyMask);
    }

    /**
     * Logits {@code [B, T, V]} for token ids {@code [B, T]} at explicit per-row positions: what batched generation
     * of prompts of different lengths needs (left padding, so row {@code b}'s first real token is at position 0
     * although it sits at column {@code pad_b}).
     *
     * @param positionIds int32 {@code [B, T]} with values in {@code [0, contextLength)}: the position of each token
     *                    (learned positions look them up in {@code transformer.wpe.weight}, sinusoidal ones take
     *                    those rows of the sinusoid table); or null for the positions following the cache
     *                    ({@code cached .. cached + T - 1}, the same for every row). They are read back to the
     *                    host (small: one int per token) to be checked and, for sinusoids, to build the constant.
     * @param cache       the key/value cache, grown by T; or null
     * @param keyMask     int32 {@code [B, cached + T]} (1 real token, 0 padding), or null
     * @param ops the backend's ops
     * @param p the weights
     * @param ids int32 token ids {@code [B, T]}
     * @return the logits {@code [B, T, V]}
     */
    public Tensor logits(Ops ops, Parameters p, Tensor ids, Tensor positionIds, KvCache cache, Tensor keyMask) {
        return logits(ops, p, ids, positionIds, cache, keyMask, false);
    }

    /**
     * As {@link #logits(Ops, Parameters, Tensor, Tensor, KvCache, Tensor)}; with {@code lastOnly} the final norm and
     * the output head run on the last of the T positions only and the logits are {@code [B, 1, V]}, so a long prompt
     * does not pay for {@code [B, T, V]} logits it does not need (generation samples from the last position). The
     * last hidden state {@code [B, C]} is taken through the host, which costs {@code B·T·C} floats once instead of
     * {@code B·(T-1)·V} multiply-adds per row of the head.
     *
     * @param ops the backend's ops
     * @param p the weights
     * @param ids int32 token ids {@code [B, T]}
     * @param positionIds int32 {@code [B, T]}, or null for the positions following the cache
     * @param cache the key/value cache, grown by T; or null
     * @param keyMask int32 {@code [B, cached + T]} (1 real token, 0 padding), or null
     * @param lastOnly compute the logits of the last position only
     * @return {@code [B, T, V]}, or {@code [B, 1, V]} with {@code lastOnly}
     */
    @Override
    public Tensor logits(Ops ops, Parameters p, Tensor ids, Tensor positionIds, KvCache cache, Tensor keyMask,
            boolean lastOnly) {
        Shape s = ids.shape();
        Shape.requireRank("GptModel.logits", "ids", s, 2);
        int offset = cache == null ? 0 : cache.length();
        int t = s.dim(1);
        if (t == 0) {
            throw new IllegalArgumentException("GptModel.logits: the input has no tokens; give at least one");
        }
        Tensor x = wte.forward(ops, p, ids);
        if (!positions.isLearned()) {
            x = ops.scale(x, (float) Math.sqrt(config.embeddingDim()));
        }
        Tensor pos = positionIds == null ? positions.forward(ops, p, offset, t) : positionsAt(ops, p, positionIds, s);
        x = ops.dropout(ops.add(x, pos), config.dropout());
        NormPlacement placement = config.normPlacement();
        float drop = config.dropout();
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            var layerCache = cache == null ? null : cache.self(i);
            x = Residual.apply(ops, p, placement, b.ln1, drop, x,
                    h -> b.attn.selfAttention(ops, p, h, true, keyMask, layerCache));
            x = Residual.apply(ops, p, placement, b.ln2, drop, x, h -> b.mlp.forward(ops, p, h));
        }
        if (lastOnly && t > 1) {
            x = lastPosition(ops, x);
        }
        if (lnF != null) {
            x = lnF.forward(ops, p, x);
        }
        return lmHead != null ? lmHead.forward(ops, p, x) : ops.linear(x, p.get(wte.weightName()), null);
    }

    /** The key and value width of the cache: the embedding width. */
    @Override
    public int kvWidth() {
        return config.embeddingDim();
    }

    /** The hidden states {@code [B, 1, C]} of the last position of {@code x [B, T, C]} (through the host). */
    static Tensor lastPosition(Ops ops, Tensor x) {
        Shape s = x.shape();
        int b = s.dim(0);
        int t = s.dim(1);
        int c = s.dim(2);
        float[] all = x.toFloatArray();
        float[] last = new float[b * c];
        for (int r = 0; r < b; r++) {
            System.arraycopy(all, (r * t + t - 1) * c, last, r * c, c);
        }
        return ops.constant(HostTensor.ofFloats(Shape.of(b, 1, c), last));
    }

    /** The position encodings {@code [B, T, C]} of explicit position ids {@code [B, T]}, checked against the context. */
    private Tensor positionsAt(Ops ops, Parameters p, Tensor positionIds, Shape idsShape) {
        Shape.requireEqual("GptModel.logits", "positionIds (for ids " + idsShape + ")", idsShape, positionIds.shape());
        if (!positionIds.dtype().isInteger()) {
            throw new IllegalArgumentException("GptModel.logits: positionIds " + positionIds.shape()
                    + " must be INT32 but is " + positionIds.dtype());
        }
        int ctx = config.contextLength();
        int c = config.embeddingDim();
        int[] at = positionIds.toIntArray();
        for (int i = 0; i < at.length; i++) {
            if (at[i] < 0 || at[i] >= ctx) {
                throw new IllegalArgumentException("GptModel.logits: position id " + at[i] + " at [" + i / idsShape.dim(1)
                        + ", " + i % idsShape.dim(1) + "] is outside the model's context [0, " + ctx
                        + "); shorten the input or crop it to the last " + ctx + " tokens");
            }
        }
        if (positions.isLearned()) {
            return ops.embedding(p.get("transformer.wpe.weight"), positionIds);
        }
        float[] table = sinusoidTable();
        float[] rows = new float[at.length * c];
        for (int i = 0; i < at.length; i++) {
            System.arraycopy(table, at[i] * c, rows, i * c, c);
        }
        return ops.constant(HostTensor.ofFloats(Shape.of(idsShape.dim(0), idsShape.dim(1), c), rows));
    }

    private float[] sinusoidTable() {
        float[] t = sinusoids;
        if (t == null) {
            t = PositionalEncoding.table(config.contextLength(), config.embeddingDim());
            sinusoids = t;
        }
        return t;
    }

    /**
     * Logits without a cache or padding.
     *
     * @param ops the backend's ops
     * @param p the weights
     * @param ids int32 token ids {@code [B, T]}
     * @return the logits {@code [B, T, V]}
     */
    public Tensor logits(Ops ops, Parameters p, Tensor ids) {
        return logits(ops, p, ids, null, null);
    }

    @Override
    public Tensor loss(Ops ops, Parameters p, Map<String, Tensor> inputs) {
        Tensor ids = require(inputs, "input_ids");
        Tensor targets = require(inputs, "targets");
        return ops.crossEntropy(logits(ops, p, ids), targets, IGNORE_INDEX);
    }

    static Tensor require(Map<String, Tensor> inputs, String name) {
        Tensor t = inputs.get(name);
        if (t == null) {
            throw new IllegalArgumentException("model input '" + name + "' is missing; inputs given: " + inputs.keySet());
        }
        return t;
    }
}
