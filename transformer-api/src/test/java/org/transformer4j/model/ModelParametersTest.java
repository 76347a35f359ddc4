package org.transformer4j.model;

import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.nn.NormPlacement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.tensor.Shape;

class ModelParametersTest {

    private static Map<String, Shape> shapes(List<ParameterSpec> specs) {
        return specs.stream().collect(Collectors.toMap(ParameterSpec::name, ParameterSpec::shape));
    }

    @Test
    void shakespeareCharGptHasNanoGptsParameterCount() {
        GptModel m = new GptModel(GptConfig.builder().build());
        long n = m.parameterSpecs().stream().mapToLong(s -> s.shape().size()).sum();
        // Hand count: wte 65*128 + wpe 64*128 + 4 * (ln_1 128 + c_attn 3*128*128 + c_proj 128*128 + ln_2 128
        // + c_fc 512*128 + c_proj 128*512) + ln_f 128. nanoGPT prints 0.80M (it leaves wpe out: 795,904).
        long expected = 65 * 128 + 64 * 128 + 4L * (128 + 3 * 128 * 128 + 128 * 128 + 128 + 512 * 128 + 128 * 512) + 128;
        assertEquals(804_096, expected);
        assertEquals(expected, n);
    }

    @Test
    void gptWeightNamesFollowNanoGpt() {
        var s = shapes(new GptModel(GptConfig.builder().bias(true).tiedEmbeddings(false).layers(2).build()).parameterSpecs());
        assertEquals(Shape.of(65, 128), s.get("transformer.wte.weight"));
        assertEquals(Shape.of(64, 128), s.get("transformer.wpe.weight"));
        assertEquals(Shape.of(384, 128), s.get("transformer.h.1.attn.c_attn.weight"));
        assertEquals(Shape.of(384), s.get("transformer.h.1.attn.c_attn.bias"));
        assertEquals(Shape.of(128, 128), s.get("transformer.h.0.attn.c_proj.weight"));
        assertEquals(Shape.of(512, 128), s.get("transformer.h.0.mlp.c_fc.weight"));
        assertEquals(Shape.of(128, 512), s.get("transformer.h.0.mlp.c_proj.weight"));
        assertEquals(Shape.of(128), s.get("transformer.h.0.ln_1.bias"));
        assertEquals(Shape.of(128), s.get("transformer.ln_f.weight"));
        assertEquals(Shape.of(65, 128), s.get("lm_head.weight"));
    }

    @Test
    void tiedPostLnSinusoidalGptHasNoHeadNoFinalNormNoPositionTable() {
        var s = shapes(new GptModel(GptConfig.builder().normPlacement(NormPlacement.POST)
                .positionalEncoding(PositionalEncodingType.SINUSOIDAL).build()).parameterSpecs());
        assertFalse(s.containsKey("lm_head.weight"));
        assertFalse(s.containsKey("transformer.ln_f.weight"));
        assertFalse(s.containsKey("transformer.wpe.weight"));
        assertFalse(s.containsKey("transformer.h.0.ln_1.bias"), "bias=false has no norm bias");
    }

    @Test
    void seq2seqWeightNamesMatchTheDocumentedTable() {
        var s = shapes(new Seq2SeqModel(Seq2SeqConfig.builder().vocabSize(40).embeddingDim(32).heads(4)
                .encoderLayers(2).decoderLayers(1).build()).parameterSpecs());
        assertEquals(Shape.of(40, 32), s.get("encoder.embed_tokens.weight"));
        assertEquals(Shape.of(40, 32), s.get("decoder.embed_tokens.weight"));
        assertEquals(Shape.of(32, 32), s.get("encoder.layers.1.self_attn.q_proj.weight"));
        assertEquals(Shape.of(32), s.get("encoder.layers.1.self_attn.out_proj.bias"));
        assertEquals(Shape.of(32), s.get("encoder.layers.0.self_attn_layer_norm.weight"));
        assertEquals(Shape.of(128, 32), s.get("encoder.layers.0.fc1.weight"));
        assertEquals(Shape.of(32, 128), s.get("decoder.layers.0.fc2.weight"));
        assertEquals(Shape.of(32, 32), s.get("decoder.layers.0.cross_attn.k_proj.weight"));
        assertEquals(Shape.of(32), s.get("decoder.layers.0.cross_attn_layer_norm.bias"));
        assertEquals(Shape.of(32), s.get("decoder.layers.0.final_layer_norm.weight"));
        assertFalse(s.containsKey("encoder.layers.2.fc1.weight"));
        assertFalse(s.containsKey("lm_head.weight"), "tied by default");
        assertFalse(s.containsKey("encoder.layer_norm.weight"), "post-LN has no final norm");
    }

    @Test
    void residualProjectionsStartSmallerAsNanoGpt() {
        var specs = new GptModel(GptConfig.builder().layers(8).build()).parameterSpecs();
        ParameterSpec proj = specs.stream().filter(s -> s.name().equals("transformer.h.0.mlp.c_proj.weight")).findFirst().orElseThrow();
        assertEquals(0.02 / Math.sqrt(16), proj.std(), 1e-7);
        assertTrue(proj.decay());
        ParameterSpec ln = specs.stream().filter(s -> s.name().equals("transformer.h.0.ln_1.weight")).findFirst().orElseThrow();
        assertFalse(ln.decay(), "norm gains are not decayed");
    }
}
