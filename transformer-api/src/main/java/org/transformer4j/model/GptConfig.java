package org.transformer4j.model;

import org.transformer4j.nn.Activation;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;

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
 * @param activation         GELU (exact or tanh) or ReLU in the feed-forward network
 * @param layerNormEps       the epsilon of every layer norm (1e-5 in GPT-2 and PyTorch)
 */
public record GptConfig(int vocabSize, int contextLength, int layers, int heads, int embeddingDim,
                        int feedForwardDim, float dropout, boolean bias, boolean tiedEmbeddings,
                        PositionalEncodingType positionalEncoding, NormPlacement normPlacement,
                        Activation activation, float layerNormEps) implements ModelConfig {

    /** Validates every field; {@link ConfigException} names the one out of range. */
    public GptConfig {
        ConfigChecks.positive("n_layer", layers);
        ConfigChecks.common(vocabSize, contextLength, heads, embeddingDim, feedForwardDim, dropout,
                positionalEncoding, normPlacement, activation, layerNormEps);
    }

    /**
     * A config with the default layer-norm epsilon {@value ModelConfig#DEFAULT_LAYER_NORM_EPS}.
     *
     * @param vocabSize number of token ids
     * @param contextLength maximum sequence length
     * @param layers number of transformer blocks
     * @param heads attention heads per block
     * @param embeddingDim model width
     * @param feedForwardDim hidden width of the feed-forward network
     * @param dropout drop probability while training
     * @param bias whether linear layers and layer norms have a bias
     * @param tiedEmbeddings whether the output projection reuses the token embedding
     * @param positionalEncoding sinusoidal or learned positions
     * @param normPlacement pre-LN or post-LN
     * @param activation the feed-forward non-linearity
     */
    public GptConfig(int vocabSize, int contextLength, int layers, int heads, int embeddingDim, int feedForwardDim,
                     float dropout, boolean bias, boolean tiedEmbeddings, PositionalEncodingType positionalEncoding,
                     NormPlacement normPlacement, Activation activation) {
        this(vocabSize, contextLength, layers, heads, embeddingDim, feedForwardDim, dropout, bias, tiedEmbeddings,
                positionalEncoding, normPlacement, activation, DEFAULT_LAYER_NORM_EPS);
    }

    @Override
    public String modelType() {
        return "gpt";
    }

    /**
     * A builder preset to nanoGPT's shakespeare-char model (4 layers, 4 heads, 128 wide, block 64, no bias, tied).
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from this config's values.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder().from(this);
        b.layers = layers;
        return b;
    }

    /** Fluent construction of a {@link GptConfig}; {@code feedForwardDim} defaults to 4 × width. */
    public static final class Builder extends ConfigBuilder<Builder> {
        private int layers = 4;

        private Builder() {
            vocabSize = 65;
            bias = false;
            dropout = 0f;
            positionalEncoding = PositionalEncodingType.LEARNED;
            normPlacement = NormPlacement.PRE;
            activation = Activation.GELU;
        }

        /**
         * The number of transformer blocks (n_layer).
         *
         * @param v at least 1
         * @return this builder
         */
        public Builder layers(int v) { this.layers = v; return this; }

        /**
         * The config; validated as the record's constructor validates.
         *
         * @return the config
         */
        public GptConfig build() {
            return new GptConfig(vocabSize, contextLength, layers, heads, embeddingDim, feedForward(), dropout, bias,
                    tiedEmbeddings, positionalEncoding, normPlacement, activation, layerNormEps);
        }
    }
}
