package org.transformer4j.model;

import java.util.Objects;
import org.transformer4j.nn.layers.RopeScaling;

/**
 * The architecture of a Llama-family decoder (Llama 2/3, SmolLM2, TinyLlama, Qwen2/2.5, Mistral without a sliding
 * window), as Hugging Face's {@code LlamaConfig}/{@code Qwen2Config}/{@code MistralConfig} describe it in
 * {@code config.json} ({@link LlamaConfigJson} reads and writes that file). Pre-norm blocks with RMSNorm, rotary
 * positions, grouped-query attention and the SwiGLU MLP; see {@link LlamaModel}. Validated on construction
 * ({@link ConfigException} names the HF field and value).
 *
 * @param family                which of the three HF model types (the weight layout is the same; the defaults and
 *                              the bias of the output projection differ)
 * @param vocabSize             {@code vocab_size}
 * @param hiddenSize            {@code hidden_size}
 * @param intermediateSize      {@code intermediate_size}: the MLP's inner width
 * @param layers                {@code num_hidden_layers}
 * @param heads                 {@code num_attention_heads}
 * @param kvHeads               {@code num_key_value_heads}: divides {@code heads} (equal to it: plain multi-head)
 * @param headDim               {@code head_dim} (usually {@code hidden_size / heads}), even
 * @param rmsNormEps            {@code rms_norm_eps}
 * @param ropeTheta             {@code rope_theta}
 * @param ropeScaling           {@code rope_scaling}, or null for none
 * @param maxPositionEmbeddings {@code max_position_embeddings}: the longest sequence
 * @param tieWordEmbeddings     {@code tie_word_embeddings}: {@code lm_head} reuses {@code model.embed_tokens}
 * @param attentionBias         q/k/v projections have biases (Qwen2 always; Llama's {@code attention_bias}, which
 *                              also gives {@code o_proj} one)
 * @param mlpBias               {@code mlp_bias} (Llama only): the MLP's projections have biases
 */
public record LlamaConfig(Family family, int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads,
                          int kvHeads, int headDim, float rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
                          int maxPositionEmbeddings, boolean tieWordEmbeddings, boolean attentionBias,
                          boolean mlpBias) implements ModelConfig {

    /** The HF model types that share this architecture. */
    public enum Family {
        /** {@code llama}: Llama 2/3, SmolLM2, TinyLlama; optional {@code attention_bias} and {@code mlp_bias}. */
        LLAMA("llama", "LlamaForCausalLM"),
        /** {@code qwen2}: Qwen2/2.5, always with q/k/v biases and no output-projection bias. */
        QWEN2("qwen2", "Qwen2ForCausalLM"),
        /** {@code mistral}: Mistral, run here only without a sliding window shorter than the context. */
        MISTRAL("mistral", "MistralForCausalLM");

        private final String modelType;
        private final String architecture;

        Family(String modelType, String architecture) {
            this.modelType = modelType;
            this.architecture = architecture;
        }

        /** {@return config.json's {@code model_type}} */
        public String modelType() {
            return modelType;
        }

        /** {@return config.json's {@code architectures[0]}} */
        public String architecture() {
            return architecture;
        }
    }

    /**
     * Validates the fields: sizes positive, {@code kvHeads} divides {@code heads}, {@code headDim} even, finite
     * {@code rmsNormEps > 0} and {@code ropeTheta > 1}, biases allowed by the family.
     *
     * @throws ConfigException naming the HF field and value that is wrong
     */
    public LlamaConfig {
        Objects.requireNonNull(family, "family");
        ConfigChecks.positive("vocab_size", vocabSize);
        ConfigChecks.positive("hidden_size", hiddenSize);
        ConfigChecks.positive("intermediate_size", intermediateSize);
        ConfigChecks.positive("num_hidden_layers", layers);
        ConfigChecks.positive("num_attention_heads", heads);
        ConfigChecks.positive("num_key_value_heads", kvHeads);
        ConfigChecks.positive("head_dim", headDim);
        ConfigChecks.positive("max_position_embeddings", maxPositionEmbeddings);
        if (heads % kvHeads != 0) {
            throw new ConfigException("num_key_value_heads=" + kvHeads + " does not divide num_attention_heads=" + heads
                    + ": each key/value head must serve a whole group of query heads");
        }
        if (headDim % 2 != 0) {
            throw new ConfigException("head_dim=" + headDim + " must be even: rotary embedding rotates pairs of channels");
        }
        if (!(rmsNormEps > 0f) || Float.isInfinite(rmsNormEps)) {
            throw new ConfigException("rms_norm_eps must be a finite number > 0, was " + rmsNormEps);
        }
        if (!(ropeTheta > 1) || Double.isInfinite(ropeTheta)) {
            throw new ConfigException("rope_theta must be a finite number > 1, was " + ropeTheta);
        }
        if (family == Family.QWEN2 && !attentionBias) {
            throw new ConfigException("a qwen2 model always has q/k/v biases; attentionBias must be true");
        }
        if (family != Family.LLAMA && mlpBias) {
            throw new ConfigException("mlp_bias=true exists only for model_type llama, not " + family.modelType());
        }
    }

    /**
     * A builder preset to a tiny Llama (2 layers, 64 wide, 4 heads, 2 key/value heads, vocabulary 100).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@link #rmsNormEps()}: the epsilon the RMS norms add. */
    @Override
    public float layerNormEps() {
        return rmsNormEps;
    }

    @Override
    public String modelType() {
        return family.modelType();
    }

    @Override
    public int contextLength() {
        return maxPositionEmbeddings;
    }

    @Override
    public int embeddingDim() {
        return hiddenSize;
    }

    @Override
    public int feedForwardDim() {
        return intermediateSize;
    }

    /** Llama-family models are trained here without dropout (HF's {@code attention_dropout} 0). */
    @Override
    public float dropout() {
        return 0f;
    }

    /** Whether the q/k/v projections have biases. */
    @Override
    public boolean bias() {
        return attentionBias;
    }

    @Override
    public boolean tiedEmbeddings() {
        return tieWordEmbeddings;
    }

    @Override
    public int headDim() {
        return headDim;
    }

    /**
     * {@return whether {@code o_proj} has a bias} Llama's {@code attention_bias} covers it; Qwen2's q/k/v biases do
     * not.
     */
    public boolean outputBias() {
        return family == Family.LLAMA && attentionBias;
    }

    /** Fluent construction of a {@link LlamaConfig}; {@code headDim} defaults to {@code hiddenSize / heads}. */
    public static final class Builder {
        private Family family = Family.LLAMA;
        private int vocabSize = 100;
        private int hiddenSize = 64;
        private int intermediateSize = 128;
        private int layers = 2;
        private int heads = 4;
        private int kvHeads = 2;
        private int headDim = -1;
        private float rmsNormEps = 1e-5f;
        private double ropeTheta = 10000.0;
        private RopeScaling ropeScaling;
        private int maxPositionEmbeddings = 128;
        private boolean tieWordEmbeddings = false;
        private boolean attentionBias = false;
        private boolean mlpBias = false;

        private Builder() {
        }

        /**
         * Sets the HF model type (default {@link Family#LLAMA}).
         *
         * @param v the family
         * @return this builder
         */
        public Builder family(Family v) { this.family = v; return this; }
        /**
         * Sets {@code vocab_size} (default 100).
         *
         * @param v the vocabulary size
         * @return this builder
         */
        public Builder vocabSize(int v) { this.vocabSize = v; return this; }
        /**
         * Sets {@code hidden_size} (default 64).
         *
         * @param v the model width
         * @return this builder
         */
        public Builder hiddenSize(int v) { this.hiddenSize = v; return this; }
        /**
         * Sets {@code intermediate_size} (default 128).
         *
         * @param v the MLP's inner width
         * @return this builder
         */
        public Builder intermediateSize(int v) { this.intermediateSize = v; return this; }
        /**
         * Sets {@code num_hidden_layers} (default 2).
         *
         * @param v the number of decoder layers
         * @return this builder
         */
        public Builder layers(int v) { this.layers = v; return this; }
        /**
         * Sets {@code num_attention_heads} (default 4).
         *
         * @param v the number of query heads
         * @return this builder
         */
        public Builder heads(int v) { this.heads = v; return this; }
        /**
         * Sets {@code num_key_value_heads} (default 2).
         *
         * @param v the number of key/value heads
         * @return this builder
         */
        public Builder kvHeads(int v) { this.kvHeads = v; return this; }
        /**
         * Sets {@code head_dim} (default {@code hiddenSize / heads}).
         *
         * @param v the width of one head
         * @return this builder
         */
        public Builder headDim(int v) { this.headDim = v; return this; }
        /**
         * Sets {@code rms_norm_eps} (default 1e-5).
         *
         * @param v the RMS norms' epsilon
         * @return this builder
         */
        public Builder rmsNormEps(float v) { this.rmsNormEps = v; return this; }
        /**
         * Sets {@code rope_theta} (default 10000).
         *
         * @param v the rotary base
         * @return this builder
         */
        public Builder ropeTheta(double v) { this.ropeTheta = v; return this; }
        /**
         * Sets {@code rope_scaling} (default null: none).
         *
         * @param v the scaling, or null
         * @return this builder
         */
        public Builder ropeScaling(RopeScaling v) { this.ropeScaling = v; return this; }
        /**
         * Sets {@code max_position_embeddings} (default 128).
         *
         * @param v the longest sequence
         * @return this builder
         */
        public Builder maxPositionEmbeddings(int v) { this.maxPositionEmbeddings = v; return this; }
        /**
         * Sets {@code tie_word_embeddings} (default false).
         *
         * @param v whether lm_head reuses the embedding
         * @return this builder
         */
        public Builder tieWordEmbeddings(boolean v) { this.tieWordEmbeddings = v; return this; }
        /**
         * Sets q/k/v (and, for Llama, o_proj) biases (default false).
         *
         * @param v whether they exist
         * @return this builder
         */
        public Builder attentionBias(boolean v) { this.attentionBias = v; return this; }
        /**
         * Sets {@code mlp_bias} (default false; Llama only).
         *
         * @param v whether the MLP's projections have biases
         * @return this builder
         */
        public Builder mlpBias(boolean v) { this.mlpBias = v; return this; }

        /**
         * The config of the values set.
         *
         * @return a validated config
         * @throws ConfigException when a value is invalid (see {@link LlamaConfig})
         */
        public LlamaConfig build() {
            if (heads <= 0) {
                throw new ConfigException("num_attention_heads must be > 0, was " + heads);
            }
            int hd = headDim < 0 ? hiddenSize / heads : headDim;
            return new LlamaConfig(family, vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads, hd,
                    rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias, mlpBias);
        }
    }
}
