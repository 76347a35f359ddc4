package org.transformer4j.model;

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
 */
public record Seq2SeqConfig(int vocabSize, int contextLength, int encoderLayers, int decoderLayers, int heads,
                            int embeddingDim, int feedForwardDim, float dropout, boolean bias,
                            boolean tiedEmbeddings, PositionalEncodingType positionalEncoding,
                            NormPlacement normPlacement, Activation activation) implements ModelConfig {

    public Seq2SeqConfig {
        ConfigChecks.positive("encoder_layers", encoderLayers);
        ConfigChecks.positive("decoder_layers", decoderLayers);
        ConfigChecks.common(vocabSize, contextLength, heads, embeddingDim, feedForwardDim, dropout,
                positionalEncoding, normPlacement, activation);
    }

    @Override
    public String modelType() {
        return "seq2seq";
    }

    /** A builder preset to a small post-LN, sinusoidal, ReLU model (3+3 layers, 4 heads, 128 wide). */
    public static Builder builder() {
        return new Builder();
    }

    /** Fluent construction of a {@link Seq2SeqConfig}; {@code feedForwardDim} defaults to 4 × width. */
    public static final class Builder {
        private int vocabSize = 64;
        private int contextLength = 64;
        private int encoderLayers = 3;
        private int decoderLayers = 3;
        private int heads = 4;
        private int embeddingDim = 128;
        private int feedForwardDim = -1;
        private float dropout = 0.1f;
        private boolean bias = true;
        private boolean tiedEmbeddings = true;
        private PositionalEncodingType positionalEncoding = PositionalEncodingType.SINUSOIDAL;
        private NormPlacement normPlacement = NormPlacement.POST;
        private Activation activation = Activation.RELU;

        private Builder() {
        }

        public Builder vocabSize(int v) { this.vocabSize = v; return this; }
        public Builder contextLength(int v) { this.contextLength = v; return this; }
        public Builder encoderLayers(int v) { this.encoderLayers = v; return this; }
        public Builder decoderLayers(int v) { this.decoderLayers = v; return this; }
        public Builder heads(int v) { this.heads = v; return this; }
        public Builder embeddingDim(int v) { this.embeddingDim = v; return this; }
        public Builder feedForwardDim(int v) { this.feedForwardDim = v; return this; }
        public Builder dropout(float v) { this.dropout = v; return this; }
        public Builder bias(boolean v) { this.bias = v; return this; }
        public Builder tiedEmbeddings(boolean v) { this.tiedEmbeddings = v; return this; }
        public Builder positionalEncoding(PositionalEncodingType v) { this.positionalEncoding = v; return this; }
        public Builder normPlacement(NormPlacement v) { this.normPlacement = v; return this; }
        public Builder activation(Activation v) { this.activation = v; return this; }

        public Seq2SeqConfig build() {
            int ffn = feedForwardDim < 0 ? 4 * embeddingDim : feedForwardDim;
            return new Seq2SeqConfig(vocabSize, contextLength, encoderLayers, decoderLayers, heads, embeddingDim,
                    ffn, dropout, bias, tiedEmbeddings, positionalEncoding, normPlacement, activation);
        }
    }
}
