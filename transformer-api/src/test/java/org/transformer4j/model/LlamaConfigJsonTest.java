package org.transformer4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.transformer4j.nn.layers.RopeScaling;
import org.transformer4j.nn.layers.RotaryEmbedding;

/**
 * Hugging Face config.json of the Llama family: files shaped like the published ones (Llama 3.2 1B, Qwen2.5 0.5B,
 * Mistral 7B v0.3) are read with their values and HF's defaults, written back and read again unchanged, and values
 * this project cannot honour are refused naming the field; the llama3 rope scaling rule is checked against the
 * formula of transformers' {@code _compute_llama3_parameters} written out here.
 */
class LlamaConfigJsonTest {
    /** Llama 3.2 1B's config.json (values as published). */
    static final String LLAMA_32 = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 128000, "eos_token_id": 128001, "head_dim": 64, "hidden_act": "silu",
             "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192,
             "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 32,
             "num_hidden_layers": 16, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
             "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
             "transformers_version": "4.45.0.dev0", "use_cache": true, "vocab_size": 128256}
            """;

    @Test
    void llama32IsReadWithItsValues() {
        LlamaConfig c = (LlamaConfig) ModelConfigJson.fromJson(LLAMA_32);
        assertEquals(LlamaConfig.Family.LLAMA, c.family());
        assertEquals(2048, c.hiddenSize());
        assertEquals(8192, c.intermediateSize());
        assertEquals(16, c.layers());
        assertEquals(32, c.heads());
        assertEquals(8, c.kvHeads());
        assertEquals(64, c.headDim());
        assertEquals(1e-5f, c.rmsNormEps());
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(RopeScaling.llama3(32, 1, 4, 8192), c.ropeScaling());
        assertEquals(131072, c.contextLength());
        assertTrue(c.tiedEmbeddings());
        assertFalse(c.attentionBias());
        assertEquals(128256, c.vocabSize());
        assertEquals("llama", c.modelType());
    }

    @Test
    void qwen2HasQkvBiasesAndIgnoresAnUnusedSlidingWindow() {
        LlamaConfig c = (LlamaConfig) ModelConfigJson.fromJson("""
                {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
                 "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
                 "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 24,
                 "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
                 "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true,
                 "torch_dtype": "bfloat16", "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}
                """);
        assertEquals(LlamaConfig.Family.QWEN2, c.family());
        assertTrue(c.attentionBias());
        assertFalse(c.outputBias());
        assertEquals(64, c.headDim());
        assertNull(c.ropeScaling());
        assertEquals(2, c.kvHeads());
    }

    @Test
    void mistralWithAWindowShorterThanTheContextIsRefused() {
        String v01 = """
                {"architectures": ["MistralForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
                 "max_position_embeddings": 32768, "model_type": "mistral", "num_attention_heads": 32,
                 "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
                 "sliding_window": 4096, "vocab_size": 32000}
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfigJson.fromJson(v01));
        assertTrue(e.getMessage().contains("sliding_window 4096"), e.getMessage());
        LlamaConfig v03 = (LlamaConfig) ModelConfigJson.fromJson(v01.replace("\"sliding_window\": 4096",
                "\"sliding_window\": null"));
        assertEquals(LlamaConfig.Family.MISTRAL, v03.family());
        assertEquals(32768, v03.contextLength());
    }

    @Test
    void writtenConfigsReadBackEqual() {
        for (LlamaConfig c : new LlamaConfig[] {(LlamaConfig) ModelConfigJson.fromJson(LLAMA_32),
                LlamaConfig.builder().family(LlamaConfig.Family.QWEN2).attentionBias(true).build(),
                LlamaConfig.builder().family(LlamaConfig.Family.MISTRAL).ropeScaling(RopeScaling.linear(2)).build(),
                LlamaConfig.builder().attentionBias(true).mlpBias(true).headDim(8).build()}) {
            String json = ModelConfigJson.toJson(c);
            assertEquals(c, ModelConfigJson.fromJson(json), json);
            assertTrue(json.contains("\"" + c.family().architecture() + "\""), json);
        }
    }

    @Test
    void valuesThatCannotBeHonouredAreRefusedByField() {
        String base = LLAMA_32;
        assertRefused(base.replace("\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\""), "hidden_act");
        assertRefused(base.replace("\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\""), "yarn");
        assertRefused(base.replace("\"attention_dropout\": 0.0", "\"attention_dropout\": 0.1"), "attention_dropout");
        assertRefused(base.replace("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5"), "num_key_value_heads");
        assertRefused(base.replace("\"hidden_size\": 2048,", ""), "hidden_size");
        assertRefused(base.replace("\"low_freq_factor\": 1.0", "\"low_freq_factor\": 4.0"), "low_freq_factor");
        assertRefused(base.replace("\"rms_norm_eps\": 1e-05", "\"rms_norm_eps\": \"small\""), "rms_norm_eps");
    }

    private static void assertRefused(String json, String mentioned) {
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfigJson.fromJson(json));
        assertTrue(e.getMessage().contains(mentioned), e.getMessage());
    }

    @Test
    void llama3InverseFrequenciesFollowTransformersFormula() {
        int dim = 64;
        double theta = 500000;
        double factor = 32;
        double low = 1;
        double high = 4;
        int original = 8192;
        float[] got = new RotaryEmbedding(dim, theta, RopeScaling.llama3(factor, low, high, original))
                .inverseFrequencies();
        int kept = 0;
        int divided = 0;
        int smoothed = 0;
        for (int i = 0; i < dim / 2; i++) {
            double f = 1.0 / Math.pow(theta, (double) (2 * i) / dim);
            double wavelen = 2 * Math.PI / f;
            double want;
            if (wavelen < original / high) {
                want = f;
                kept++;
            } else if (wavelen > original / low) {
                want = f / factor;
                divided++;
            } else {
                double s = (original / wavelen - low) / (high - low);
                want = (1 - s) * f / factor + s * f;
                smoothed++;
            }
            assertEquals(want, got[i], Math.ulp((float) want), "inverse frequency " + i);
        }
        assertTrue(kept > 0 && divided > 0 && smoothed > 0, kept + " " + divided + " " + smoothed);
    }
}
