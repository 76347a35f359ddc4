package org.transformer4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelConfigJsonTest {

    @Test
    void gptConfigRoundTripsThroughJson() {
        GptConfig c = GptConfig.builder().vocabSize(50).contextLength(32).layers(2).heads(2).embeddingDim(16)
                .feedForwardDim(40).dropout(0.25f).bias(true).tiedEmbeddings(false)
                .positionalEncoding(PositionalEncodingType.SINUSOIDAL).normPlacement(NormPlacement.POST)
                .activation(Activation.RELU).build();
        assertEquals(c, ModelConfigJson.fromJson(ModelConfigJson.toJson(c)));
    }

    @Test
    void seq2seqConfigRoundTripsThroughJson() {
        Seq2SeqConfig c = Seq2SeqConfig.builder().vocabSize(40).encoderLayers(2).decoderLayers(3).build();
        String json = ModelConfigJson.toJson(c);
        assertTrue(json.contains("\"model_type\" : \"seq2seq\""), json);
        assertEquals(c, ModelConfigJson.fromJson(json));
    }

    @Test
    void builderDefaultsAreNanoGptShakespeareChar() {
        GptConfig c = GptConfig.builder().build();
        assertEquals(4, c.layers());
        assertEquals(128, c.embeddingDim());
        assertEquals(512, c.feedForwardDim());
        assertEquals(64, c.contextLength());
        assertEquals(false, c.bias());
    }

    @Test
    void widthNotDivisibleByHeadsNamesBothFields() {
        var e = assertThrows(ConfigException.class, () -> GptConfig.builder().embeddingDim(130).heads(4).build());
        assertTrue(e.getMessage().contains("n_embd=130") && e.getMessage().contains("n_head=4"), e.getMessage());
    }

    @Test
    void invalidValuesNameTheField() {
        assertMessage(() -> GptConfig.builder().layers(0).build(), "n_layer must be > 0, was 0");
        assertMessage(() -> GptConfig.builder().vocabSize(-3).build(), "vocab_size must be > 0, was -3");
        assertMessage(() -> GptConfig.builder().dropout(1.5f).build(), "dropout must be in [0, 1), was 1.5");
        assertMessage(() -> GptConfig.builder().embeddingDim(6).heads(2).feedForwardDim(8)
                .positionalEncoding(PositionalEncodingType.SINUSOIDAL).heads(3).embeddingDim(9).build(), "must be even");
        assertMessage(() -> Seq2SeqConfig.builder().decoderLayers(0).build(), "decoder_layers must be > 0");
    }

    @Test
    void missingFieldIsNamed() {
        String json = ModelConfigJson.toJson(GptConfig.builder().build()).replace("\"n_head\" : 4,", "");
        assertMessage(() -> ModelConfigJson.fromJson(json), "missing the required field \"n_head\"");
    }

    @Test
    void unknownFieldIsRefused() {
        String json = ModelConfigJson.toJson(GptConfig.builder().build()).replace("{", "{ \"n_layers\": 4,");
        assertMessage(() -> ModelConfigJson.fromJson(json), "unknown field(s) [n_layers]");
    }

    @Test
    void wrongTypesAndChoicesAreNamed() {
        String base = ModelConfigJson.toJson(GptConfig.builder().build());
        assertMessage(() -> ModelConfigJson.fromJson(base.replace("\"n_embd\" : 128", "\"n_embd\" : \"128\"")),
                "n_embd must be an integer");
        assertMessage(() -> ModelConfigJson.fromJson(base.replace("\"gelu\"", "\"swish\"")),
                "activation must be one of [\"gelu\", \"relu\", \"gelu_tanh\"], was \"swish\"");
        assertMessage(() -> ModelConfigJson.fromJson(base.replace("\"gpt\"", "\"bert\"")), "model_type must be");
        assertMessage(() -> ModelConfigJson.fromJson("[1, 2]"), "must hold a JSON object");
        assertMessage(() -> ModelConfigJson.fromJson("{ not json"), "not valid JSON");
        assertMessage(() -> ModelConfigJson.fromJson(base.replace("{", "{ \"bias\": true,")), "Duplicate field");
    }

    @Test
    void seq2seqFieldsAreCheckedAsTheGptOnes() {
        String base = ModelConfigJson.toJson(Seq2SeqConfig.builder().build());
        assertMessage(() -> ModelConfigJson.fromJson(base.replace("{", "{ \"n_layer\": 3,")),
                "unknown field(s) [n_layer] for model_type \"seq2seq\"");
        assertMessage(() -> ModelConfigJson.fromJson(base.replace("\"decoder_layers\" : 3,", "")),
                "missing the required field \"decoder_layers\"");
        assertMessage(() -> ModelConfigJson.fromJson(base.replace("\"n_head\" : 4", "\"n_head\" : 5")),
                "n_embd=128 is not divisible by n_head=5");
        assertMessage(() -> ModelConfigJson.fromJson(base.replace("\"encoder_layers\" : 3", "\"encoder_layers\" : -1")),
                "encoder_layers must be > 0, was -1");
        assertMessage(() -> ModelConfigJson.fromJson(base.replace("\"post\"", "\"middle\"")), "norm_placement");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String part) {
        var ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(part), () -> "expected '" + part + "' in: " + ex.getMessage());
    }
}
