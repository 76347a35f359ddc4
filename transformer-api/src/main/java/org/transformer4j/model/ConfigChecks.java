package org.transformer4j.model;

/** The validation rules both configs share; each failure names the config.json field and value. */
final class ConfigChecks {
    private ConfigChecks() {
    }

    static void positive(String field, int value) {
        if (value <= 0) {
            throw new ConfigException(field + " must be > 0, was " + value);
        }
    }

    static void common(int vocabSize, int contextLength, int heads, int embeddingDim, int feedForwardDim, float dropout,
                       PositionalEncodingType positionalEncoding, NormPlacement normPlacement, Activation activation,
                       float layerNormEps) {
        positive("vocab_size", vocabSize);
        positive("context_length", contextLength);
        positive("n_head", heads);
        positive("n_embd", embeddingDim);
        positive("ffn_dim", feedForwardDim);
        if (embeddingDim % heads != 0) {
            throw new ConfigException("n_embd=" + embeddingDim + " is not divisible by n_head=" + heads
                    + ": each head needs an equal share of the width (e.g. n_embd=" + (embeddingDim / heads + 1) * heads + ")");
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new ConfigException("dropout must be in [0, 1), was " + dropout);
        }
        if (positionalEncoding == null) {
            throw new ConfigException("positional_encoding must be \"sinusoidal\" or \"learned\", was null");
        }
        if (normPlacement == null) {
            throw new ConfigException("norm_placement must be \"pre\" or \"post\", was null");
        }
        if (activation == null) {
            throw new ConfigException("activation must be \"gelu\", \"gelu_tanh\" or \"relu\", was null");
        }
        if (!(layerNormEps >= 0f) || Float.isInfinite(layerNormEps)) {
            throw new ConfigException("layer_norm_eps must be a finite number >= 0, was " + layerNormEps);
        }
        if (positionalEncoding == PositionalEncodingType.SINUSOIDAL && embeddingDim % 2 != 0) {
            throw new ConfigException("n_embd=" + embeddingDim
                    + " must be even with positional_encoding=\"sinusoidal\" (sine and cosine come in pairs)");
        }
    }
}
