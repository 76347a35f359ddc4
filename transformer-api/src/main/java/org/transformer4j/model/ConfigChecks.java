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

    static void common(ModelConfig c) {
        positive("vocab_size", c.vocabSize());
        positive("context_length", c.contextLength());
        positive("n_head", c.heads());
        positive("n_embd", c.embeddingDim());
        positive("ffn_dim", c.feedForwardDim());
        if (c.embeddingDim() % c.heads() != 0) {
            throw new ConfigException("n_embd=" + c.embeddingDim() + " is not divisible by n_head=" + c.heads()
                    + ": each head needs an equal share of the width (e.g. n_embd=" + (c.embeddingDim() / c.heads() + 1) * c.heads() + ")");
        }
        if (!(c.dropout() >= 0f && c.dropout() < 1f)) {
            throw new ConfigException("dropout must be in [0, 1), was " + c.dropout());
        }
        if (c.positionalEncoding() == null) {
            throw new ConfigException("positional_encoding must be \"sinusoidal\" or \"learned\", was null");
        }
        if (c.normPlacement() == null) {
            throw new ConfigException("norm_placement must be \"pre\" or \"post\", was null");
        }
        if (c.activation() == null) {
            throw new ConfigException("activation must be \"gelu\" or \"relu\", was null");
        }
        if (c.positionalEncoding() == PositionalEncodingType.SINUSOIDAL && c.embeddingDim() % 2 != 0) {
            throw new ConfigException("n_embd=" + c.embeddingDim()
                    + " must be even with positional_encoding=\"sinusoidal\" (sine and cosine come in pairs)");
        }
    }
}
