package org.transformer4j.model;

import org.transformer4j.nn.Activation;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;

/**
 * The fields and setters that {@link GptConfig.Builder} and {@link Seq2SeqConfig.Builder} share (everything but
 * the layer counts), so each builder only adds its own depth fields and {@code build()}. {@code feedForwardDim}
 * left at -1 means 4 × width.
 *
 * @param <B> the concrete builder, returned by every setter for chaining
 */
public abstract sealed class ConfigBuilder<B extends ConfigBuilder<B>> permits GptConfig.Builder, Seq2SeqConfig.Builder {
    int vocabSize;
    int contextLength = 64;
    int heads = 4;
    int embeddingDim = 128;
    int feedForwardDim = -1;
    float dropout;
    boolean bias;
    boolean tiedEmbeddings = true;
    PositionalEncodingType positionalEncoding;
    NormPlacement normPlacement;
    Activation activation;
    float layerNormEps = ModelConfig.DEFAULT_LAYER_NORM_EPS;

    ConfigBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The feed-forward width to build with: the one set, or 4 × width. */
    final int feedForward() {
        return feedForwardDim < 0 ? 4 * embeddingDim : feedForwardDim;
    }

    /** Copies the shared fields of {@code c} (a GPT's or an encoder-decoder's config). */
    final B from(ModelConfig c) {
        switch (c) {
            case GptConfig g -> {
                positionalEncoding = g.positionalEncoding();
                normPlacement = g.normPlacement();
                activation = g.activation();
            }
            case Seq2SeqConfig s -> {
                positionalEncoding = s.positionalEncoding();
                normPlacement = s.normPlacement();
                activation = s.activation();
            }
            case LlamaConfig l -> throw new IllegalArgumentException("a Llama-family config has no GPT/seq2seq builder");
        }
        vocabSize = c.vocabSize();
        contextLength = c.contextLength();
        heads = c.heads();
        embeddingDim = c.embeddingDim();
        feedForwardDim = c.feedForwardDim();
        dropout = c.dropout();
        bias = c.bias();
        tiedEmbeddings = c.tiedEmbeddings();
        layerNormEps = c.layerNormEps();
        return self();
    }

    /**
     * The number of token ids.
     *
     * @param v at least 1
     * @return this builder
     */
    public B vocabSize(int v) { this.vocabSize = v; return self(); }
    /**
     * The longest sequence the model accepts.
     *
     * @param v at least 1
     * @return this builder
     */
    public B contextLength(int v) { this.contextLength = v; return self(); }
    /**
     * Attention heads per layer.
     *
     * @param v divides the width
     * @return this builder
     */
    public B heads(int v) { this.heads = v; return self(); }
    /**
     * The model width.
     *
     * @param v at least 1
     * @return this builder
     */
    public B embeddingDim(int v) { this.embeddingDim = v; return self(); }
    /**
     * The feed-forward hidden width.
     *
     * @param v at least 1
     * @return this builder
     */
    public B feedForwardDim(int v) { this.feedForwardDim = v; return self(); }
    /**
     * The dropout probability while training.
     *
     * @param v in [0, 1)
     * @return this builder
     */
    public B dropout(float v) { this.dropout = v; return self(); }
    /**
     * Whether linear layers and layer norms have biases.
     *
     * @param v true for biases
     * @return this builder
     */
    public B bias(boolean v) { this.bias = v; return self(); }
    /**
     * Whether the output layer reuses the token embedding.
     *
     * @param v true to tie
     * @return this builder
     */
    public B tiedEmbeddings(boolean v) { this.tiedEmbeddings = v; return self(); }
    /**
     * How positions enter the model.
     *
     * @param v sinusoidal or learned
     * @return this builder
     */
    public B positionalEncoding(PositionalEncodingType v) { this.positionalEncoding = v; return self(); }
    /**
     * Where the layer norms sit.
     *
     * @param v pre-LN or post-LN
     * @return this builder
     */
    public B normPlacement(NormPlacement v) { this.normPlacement = v; return self(); }
    /**
     * The feed-forward non-linearity.
     *
     * @param v GELU, GELU tanh or ReLU
     * @return this builder
     */
    public B activation(Activation v) { this.activation = v; return self(); }
    /**
     * The layer norms' epsilon (default 1e-5, PyTorch's and GPT-2's).
     *
     * @param v positive
     * @return this builder
     */
    public B layerNormEps(float v) { this.layerNormEps = v; return self(); }
}
