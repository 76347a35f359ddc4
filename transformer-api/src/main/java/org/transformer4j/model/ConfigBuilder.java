package org.transformer4j.model;

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

    /** Copies the shared fields of {@code c}. */
    final B from(ModelConfig c) {
        vocabSize = c.vocabSize();
        contextLength = c.contextLength();
        heads = c.heads();
        embeddingDim = c.embeddingDim();
        feedForwardDim = c.feedForwardDim();
        dropout = c.dropout();
        bias = c.bias();
        tiedEmbeddings = c.tiedEmbeddings();
        positionalEncoding = c.positionalEncoding();
        normPlacement = c.normPlacement();
        activation = c.activation();
        layerNormEps = c.layerNormEps();
        return self();
    }

    public B vocabSize(int v) { this.vocabSize = v; return self(); }
    public B contextLength(int v) { this.contextLength = v; return self(); }
    public B heads(int v) { this.heads = v; return self(); }
    public B embeddingDim(int v) { this.embeddingDim = v; return self(); }
    public B feedForwardDim(int v) { this.feedForwardDim = v; return self(); }
    public B dropout(float v) { this.dropout = v; return self(); }
    public B bias(boolean v) { this.bias = v; return self(); }
    public B tiedEmbeddings(boolean v) { this.tiedEmbeddings = v; return self(); }
    public B positionalEncoding(PositionalEncodingType v) { this.positionalEncoding = v; return self(); }
    public B normPlacement(NormPlacement v) { this.normPlacement = v; return self(); }
    public B activation(Activation v) { this.activation = v; return self(); }
    /** The layer norms' epsilon (default 1e-5, PyTorch's and GPT-2's). */
    public B layerNormEps(float v) { this.layerNormEps = v; return self(); }
}
