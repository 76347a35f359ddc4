package org.transformer4j.model;

import org.transformer4j.nn.Activation;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;

/**
 * The architecture of an encoder-decoder Transformer ("Attention Is All You Need"): one shared vocabulary
 * for source and target. Validated on construction ({@link ConfigException} names the field and value).
 * {@link #builder()} starts from the original paper's choices (post-LN, sinusoidal positions, ReLU) at a
 * small size.
 *
 * @param vocabSize          number of token ids, shared by source and target
 * @param contextLength      maximum source and target length
 * @param encoderLayers      encoder blocks
 * @param decoderLayers      decoder blocks
 * @param heads              attention heads; must divide {@code embeddingDim}
 * @param embeddingDim       model width (d_model)
 * @param feedForwardDim     feed-forward hidden width (d_ff)
 * @param dropout            drop probability while training
 * @param bias               whether linear layers and layer norms have a bias
 * @param tiedEmbeddings     whether the output projection reuses the decoder's token embedding
 * @param positionalEncoding sinusoidal or learned positions
 * @param normPlacement      post-LN (the paper) or pre-LN
 * @param activation         ReLU (the paper) or GELU
 * @param layerNormEps       the epsilon of every layer norm (PyTorch's 1e-5 by default)
 */
public record Seq2SeqConfig(int vocabSize, int contextLength, int encoderLayers, int decoderLayers, int heads,
                            int embeddingDim, int feedForwardDim, float dropout, boolean bias,
                            boolean tiedEmbeddings, PositionalEncodingType positionalEncoding,
                            NormPlacement normPlacement, Activation activation, float layerNormEps)
        implements ModelConfig {

    /** Validates every field; {@link ConfigException} names the one out of range. */
    public Seq2SeqConfig {
        ConfigChecks.positive("encoder_layers", encoderLayers);
        ConfigChecks.positive("decoder_layers", decoderLayers);
        ConfigChecks.common(vocabSize, contextLength, heads, embeddingDim, feedForwardDim, dropout,
                positionalEncoding, normPlacement, activation, layerNormEps);
    }

    /**
     * A config with the default layer-norm epsilon {@value ModelConfig#DEFAULT_LAYER_NORM_EPS}.
     *
     * @param vocabSize number of token ids, shared by source and target
     * @param contextLength maximum source and target length
     * @param encoderLayers encoder blocks
     * @param decoderLayers decoder blocks
     * @param heads attention heads
     * @param embeddingDim model width
     * @param feedForwardDim feed-forward hidden width
     * @param dropout drop probability while training
     * @param bias whether linear layers and layer norms have a bias
     * @param tiedEmbeddings whether the output projection reuses the decoder's token embedding
     * @param positionalEncoding sinusoidal or learned positions
     * @param normPlacement post-LN or pre-LN
     * @param activation the feed-forward non-linearity
     */
    public Seq2SeqConfig(int vocabSize, int contextLength, int encoderLayers, int decoderLayers, int heads,
                         int embeddingDim, int feedForwardDim, float dropout, boolean bias, boolean tiedEmbeddings,
                         PositionalEncodingType positionalEncoding, NormPlacement normPlacement, Activation activation) {
        this(vocabSize, contextLength, encoderLayers, decoderLayers, heads, embeddingDim, feedForwardDim, dropout, bias,
                tiedEmbeddings, positionalEncoding, normPlacement, activation, DEFAULT_LAYER_NORM_EPS);
    }

    @Override
    public String modelType() {
        return "seq2seq";
    }

    /**
     * A builder preset to a small post-LN, sinusoidal, ReLU model (3+3 layers, 4 heads, 128 wide).
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
        b.encoderLayers = encoderLayers;
        b.decoderLayers = decoderLayers;
        return b;
    }

    /** Fluent construction of a {@link Seq2SeqConfig}; {@code feedForwardDim} defaults to 4 × width. */
    public static final class Builder extends ConfigBuilder<Builder> {
        private int encoderLayers = 3;
        private int decoderLayers = 3;

        private Builder() {
            vocabSize = 64;
            dropout = 0.1f;
            bias = true;
            positionalEncoding = PositionalEncodingType.SINUSOIDAL;
            normPlacement = NormPlacement.POST;
            activation = Activation.RELU;
        }

        /**
         * The number of encoder blocks.
         *
         * @param v at least 1
         * @return this builder
         */
        public Builder encoderLayers(int v) { this.encoderLayers = v; return this; }
        /**
         * The number of decoder blocks.
         *
         * @param v at least 1
         * @return this builder
         */
        public Builder decoderLayers(int v) { this.decoderLayers = v; return this; }

        /**
         * The config; validated as the record's constructor validates.
         *
         * @return the config
         */
        public Seq2SeqConfig build() {
            return new Seq2SeqConfig(vocabSize, contextLength, encoderLayers, decoderLayers, heads, embeddingDim,
                    feedForward(), dropout, bias, tiedEmbeddings, positionalEncoding, normPlacement, activation,
                    layerNormEps);
        }
    }
}
