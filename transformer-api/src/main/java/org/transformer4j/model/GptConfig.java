package org.transformer4j.model;

/**
 * The architecture of a decoder-only GPT. Validated on construction ({@link ConfigException} names the
 * field and value). {@link #builder()} starts from nanoGPT's shakespeare-char settings.
 *
 * @param vocabSize          number of token ids
 * @param contextLength      maximum sequence length (nanoGPT's block_size)
 * @param layers             number of transformer blocks (n_layer)
 * @param heads              attention heads per block (n_head); must divide {@code embeddingDim}
 * @param embeddingDim       model width (n_embd)
 * @param feedForwardDim     hidden width of the feed-forward network (4 × n_embd in GPT-2)
 * @param dropout            drop probability for embeddings and residual branches while training
 * @param bias               whether linear layers and layer norms have a bias
 * @param tiedEmbeddings     whether the output projection reuses the token embedding matrix
 * @param positionalEncoding sinusoidal or learned positions
 * @param normPlacement      pre-LN (GPT-2) or post-LN (original paper)
 * @param activation         GELU or ReLU in the feed-forward network
 */
public record GptConfig(int vocabSize, int contextLength, int layers, int heads, int embeddingDim,
                        int feedForwardDim, float dropout, boolean bias, boolean tiedEmbeddings,
                        PositionalEncodingType positionalEncoding, NormPlacement normPlacement,
                        Activation activation) implements ModelConfig {

    public GptConfig {
        ConfigChecks.positive("n_layer", layers);
        ConfigChecks.common(vocabSize, contextLength, heads, embeddingDim, feedForwardDim, dropout,
                positionalEncoding, normPlacement, activation);
    }

    @Override
    public String modelType() {
        return "gpt";
    }

    /** A builder preset to nanoGPT's shakespeare-char model (4 layers, 4 heads, 128 wide, block 64, no bias, tied). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.vocabSize = vocabSize;
        b.contextLength = contextLength;
        b.layers = layers;
        b.heads = heads;
        b.embeddingDim = embeddingDim;
        b.feedForwardDim = feedForwardDim;
        b.dropout = dropout;
        b.bias = bias;
        b.tiedEmbeddings = tiedEmbeddings;
        b.positionalEncoding = positionalEncoding;
        b.normPlacement = normPlacement;
        b.activation = activation;
        return b;
    }

    /** Fluent construction of a {@link GptConfig}; {@code feedForwardDim} defaults to 4 × width. */
    public static final class Builder {
        private int vocabSize = 65;
        private int contextLength = 64;
        private int layers = 4;
        private int heads = 4;
        private int embeddingDim = 128;
        private int feedForwardDim = -1;
        private float dropout = 0f;
        private boolean bias = false;
        private boolean tiedEmbeddings = true;
        private PositionalEncodingType positionalEncoding = PositionalEncodingType.LEARNED;
        private NormPlacement normPlacement = NormPlacement.PRE;
        private Activation activation = Activation.GELU;

        private Builder() {
        }

        public Builder vocabSize(int v) { this.vocabSize = v; return this; }
        public Builder contextLength(int v) { this.contextLength = v; return this; }
        public Builder layers(int v) { this.layers = v; return this; }
        public Builder heads(int v) { this.heads = v; return this; }
        public Builder embeddingDim(int v) { this.embeddingDim = v; return this; }
        public Builder feedForwardDim(int v) { this.feedForwardDim = v; return this; }
        public Builder dropout(float v) { this.dropout = v; return this; }
        public Builder bias(boolean v) { this.bias = v; return this; }
        public Builder tiedEmbeddings(boolean v) { this.tiedEmbeddings = v; return this; }
        public Builder positionalEncoding(PositionalEncodingType v) { this.positionalEncoding = v; return this; }
        public Builder normPlacement(NormPlacement v) { this.normPlacement = v; return this; }
        public Builder activation(Activation v) { this.activation = v; return this; }

        public GptConfig build() {
            int ffn = feedForwardDim < 0 ? 4 * embeddingDim : feedForwardDim;
            return new GptConfig(vocabSize, contextLength, layers, heads, embeddingDim, ffn, dropout, bias,
                    tiedEmbeddings, positionalEncoding, normPlacement, activation);
        }
    }
}
