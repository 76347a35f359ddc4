package org.transformer4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.io.Safetensors;
import org.transformer4j.io.SafetensorsFile;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.testing.Gpt2Reference;
import org.transformer4j.testing.HfGpt2Fixture;
import org.transformer4j.testing.HfGpt2Fixture.Layout;
import org.transformer4j.testing.HfGpt2Fixture.Sizes;
import org.transformer4j.testing.HfGpt2Fixture.StoredType;
import org.transformer4j.testing.ReferenceEngine;

/**
 * Hugging Face GPT-2 directories: every stored variant (F32/F16/BF16, with or without the {@code transformer.}
 * prefix, tied or untied, sharded, old mask buffers) loads and gives the logits of an independent double-precision
 * GPT-2 (HF's formulas, {@link Gpt2Reference}) through the scalar reference ops; writing back is the identity; and
 * each way a directory can be incomplete or inconsistent fails with one message naming the file and the tensor.
 */
class HfGpt2DirectoryTest {
    static final int[] PROMPT = {5, 17, 42, 3, 99, 0, 64, 23, 8, 51, 77, 12};

    @TempDir
    Path tmp;

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of(StoredType.F32, new Layout(StoredType.F32, false, 1, false, false), true),
                Arguments.of(StoredType.F32, new Layout(StoredType.F32, true, 1, true, true), true),
                Arguments.of(StoredType.F32, new Layout(StoredType.F32, true, 1, false, false), false),
                Arguments.of(StoredType.F16, new Layout(StoredType.F16, false, 1, false, true), true),
                Arguments.of(StoredType.BF16, new Layout(StoredType.BF16, true, 1, false, false), false),
                Arguments.of(StoredType.F32, new Layout(StoredType.F32, false, 3, false, false), true),
                Arguments.of(StoredType.BF16, new Layout(StoredType.BF16, true, 2, false, true), false));
    }

    @ParameterizedTest(name = "{1} tied={2}")
    @MethodSource("variants")
    void everyLayoutLoadsAndMatchesTheDoublePrecisionGpt2(StoredType precision, Layout layout, boolean tied)
            throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), tied, precision, 7);
        Path dir = tmp.resolve("m");
        f.write(dir, layout);
        ModelDirectory md = ModelDirectory.load(dir);
        assertEquals(ModelDirectory.Layout.HUGGING_FACE, md.layout());
        GptConfig g = (GptConfig) md.config();
        assertEquals(Activation.GELU_TANH, g.activation());
        assertEquals(1e-5f, g.layerNormEps());
        assertEquals(256, g.feedForwardDim());
        assertEquals(tied, g.tiedEmbeddings());
        double[][] want = new Gpt2Reference(f).logits(PROMPT);
        float[] got = logits(md, PROMPT);
        assertClose(want, got, 1e-4);
    }

    @Test
    void greedyTokensEqualTheReferences() throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.F32, 11);
        f.write(tmp, Layout.plain(StoredType.F32));
        ModelDirectory md = ModelDirectory.load(tmp);
        int[] want = new Gpt2Reference(f).greedy(PROMPT, 6);
        int[] seq = PROMPT.clone();
        int[] got = new int[6];
        for (int k = 0; k < 6; k++) {
            float[] l = logits(md, seq);
            int v = md.config().vocabSize();
            int best = 0;
            for (int i = 1; i < v; i++) {
                if (l[(seq.length - 1) * v + i] > l[(seq.length - 1) * v + best]) {
                    best = i;
                }
            }
            got[k] = best;
            seq = java.util.Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = best;
        }
        assertArrayEquals(want, got);
    }

    @Test
    void generationConfigSuppliesDefaultsThatOptionsApplyAsHuggingFaceDoes() throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.F32, 1);
        f.write(tmp, Layout.plain(StoredType.F32));
        GenerationDefaults d = ModelDirectory.load(tmp).generationDefaults();
        assertEquals(Set.of(1), d.eosTokenIds());
        assertEquals(OptionalInt.of(0), d.bosTokenId());
        GenerationOptions greedy = GenerationOptions.sampling(20, 0.8f, 10, 3).withDefaults(d);
        assertTrue(greedy.isGreedy(), "do_sample absent means greedy");
        assertEquals(Set.of(1), greedy.stopTokens());

        Files.writeString(tmp.resolve("generation_config.json"), """
                {"do_sample": true, "temperature": 0.7, "top_p": 0.9, "max_new_tokens": 33, "eos_token_id": [1, 2],
                 "num_beams": 1}
                """);
        GenerationDefaults s = ModelDirectory.load(tmp).generationDefaults();
        GenerationOptions o = GenerationOptions.greedy(5).withDefaults(s);
        assertEquals(33, o.maxNewTokens());
        assertEquals(0.7f, o.temperature(), 1e-7);
        assertEquals(50, o.topK(), "Hugging Face's top_k default when sampling");
        assertEquals(0.9f, o.topP(), 1e-7);
        assertEquals(Set.of(1, 2), o.stopTokens());

        Files.delete(tmp.resolve("generation_config.json"));
        assertEquals(Set.of(1), ModelDirectory.load(tmp).generationDefaults().eosTokenIds(),
                "without the file, config.json's eos_token_id");
    }

    @Test
    void savingInHuggingFaceLayoutAndReadingBackIsTheIdentity() throws IOException {
        for (boolean tied : new boolean[] {true, false}) {
            HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), tied, StoredType.F32, 3);
            Path in = tmp.resolve("in" + tied);
            f.write(in, Layout.plain(StoredType.F32));
            ModelDirectory a = ModelDirectory.load(in);
            Path out = tmp.resolve("out" + tied);
            a.save(out); // a Hugging Face directory saves in its own layout
            ModelDirectory b = ModelDirectory.load(out);
            assertEquals(a.config(), b.config());
            assertEquals(a.weights(), b.weights());
            assertEquals(a.generationDefaults(), b.generationDefaults());
            assertEquals(ModelDirectory.Layout.HUGGING_FACE, b.layout());
            assertTrue(Files.exists(out.resolve("generation_config.json")));
            // the file holds GPT-2's names and the Conv1D layout, exactly the fixture's values
            SafetensorsFile written = Safetensors.read(out.resolve("model.safetensors"));
            HostTensor cAttn = written.tensor("transformer.h.1.attn.c_attn.weight");
            assertEquals(Shape.of(64, 192), cAttn.shape());
            assertArrayEquals(f.weight("h.1.attn.c_attn.weight"), cAttn.floats());
            assertEquals(!tied, written.tensors().containsKey("lm_head.weight"));
            String config = Files.readString(out.resolve("config.json"));
            assertTrue(config.contains("\"model_type\" : \"gpt2\"") && config.contains("\"gelu_new\""), config);
        }
    }

    @Test
    void aProjectGptWithGpt2ArchitectureIsWrittenAsHuggingFaceAndReadsBack() throws IOException {
        GptConfig c = GptConfig.builder().vocabSize(100).contextLength(16).layers(1).heads(2).embeddingDim(8)
                .bias(true).tiedEmbeddings(false).activation(Activation.GELU).build();
        Map<String, HostTensor> w = org.transformer4j.nn.Initializer.initialize(ModelDirectory.modelFor(c).parameterSpecs(), 4);
        ModelDirectory md = new ModelDirectory(c, w, HfGpt2Fixture.tokenizer(100));
        md.saveHuggingFace(tmp);
        ModelDirectory back = ModelDirectory.load(tmp);
        assertEquals(c, back.config());
        assertEquals(w, back.weights());
    }

    @Test
    void architecturesGpt2CannotExpressAreRefusedWithTheReason() {
        GptConfig noBias = GptConfig.builder().vocabSize(100).layers(1).heads(2).embeddingDim(8).bias(false).build();
        GptConfig postLn = noBias.toBuilder().bias(true).normPlacement(NormPlacement.POST).build();
        for (GptConfig c : new GptConfig[] {noBias, postLn}) {
            ModelDirectory md = new ModelDirectory(c, org.transformer4j.nn.Initializer.initialize(
                    ModelDirectory.modelFor(c).parameterSpecs(), 1), HfGpt2Fixture.tokenizer(100));
            ConfigException e = assertThrows(ConfigException.class, () -> md.saveHuggingFace(tmp.resolve("x")));
            assertTrue(e.getMessage().contains(c.bias() ? "post-LN" : "no biases"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("x").resolve("model.safetensors")));
        }
    }

    // ---- refusals of config.json values, one each ----

    @Test
    void anotherModelTypeIsRefusedNamingIt() throws IOException {
        assertConfigRefused(Map.of("model_type", "\"llama\""), "model_type", "llama");
    }

    @Test
    void scaleByInverseLayerIndexIsRefused() throws IOException {
        assertConfigRefused(Map.of("scale_attn_by_inverse_layer_idx", "true"), "scale_attn_by_inverse_layer_idx", "true");
    }

    @Test
    void crossAttentionIsRefused() throws IOException {
        assertConfigRefused(Map.of("add_cross_attention", "true"), "add_cross_attention", "true");
    }

    @Test
    void unknownActivationIsRefused() throws IOException {
        assertConfigRefused(Map.of("activation_function", "\"quick_gelu\""), "activation_function", "quick_gelu");
    }

    @Test
    void otherActivationsAndEpsilonAreHonoured() throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.F32, 2);
        f.write(tmp, Layout.plain(StoredType.F32));
        Files.writeString(tmp.resolve("config.json"), f.configJson(Map.of("activation_function", "\"gelu\"",
                "layer_norm_epsilon", "1e-6")));
        GptConfig g = (GptConfig) ModelDirectory.load(tmp).config();
        assertEquals(Activation.GELU, g.activation());
        assertEquals(1e-6f, g.layerNormEps());
    }

    private void assertConfigRefused(Map<String, String> change, String field, String value) throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.F32, 2);
        f.write(tmp, Layout.plain(StoredType.F32));
        Files.writeString(tmp.resolve("config.json"), f.configJson(change));
        ConfigException e = assertThrows(ConfigException.class, () -> ModelDirectory.load(tmp));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains(field)
                && e.getMessage().contains(value), e.getMessage());
    }

    // ---- incomplete or inconsistent weights, one each ----

    @Test
    void aMissingTensorIsNamed() throws IOException {
        assertWeightsRefused(true, w -> w.remove("h.1.mlp.c_fc.bias"), "missing 'h.1.mlp.c_fc.bias' [256]");
    }

    @Test
    void aWrongShapeIsNamedWithTheConv1DLayout() throws IOException {
        assertWeightsRefused(true, w -> w.put("h.0.attn.c_attn.weight", HostTensor.zeros(Shape.of(192, 64))),
                "'h.0.attn.c_attn.weight' has shape [192, 64] but config.json needs [64, 192] (Conv1D, stored [in, out])");
    }

    @Test
    void anUntiedHeadThatIsMissingIsNamed() throws IOException {
        assertWeightsRefused(false, w -> w.remove("lm_head.weight"), "missing 'lm_head.weight' [100, 64]");
    }

    @Test
    void aTiedHeadThatDiffersFromTheEmbeddingIsRefused() throws IOException {
        assertWeightsRefused(true, w -> w.put("lm_head.weight", HostTensor.zeros(Shape.of(100, 64))),
                "'lm_head.weight' differs from 'wte.weight'");
    }

    @Test
    void aTensorOfADeeperModelIsUnexpected() throws IOException {
        assertWeightsRefused(true, w -> w.put("h.2.ln_1.weight", HostTensor.zeros(Shape.of(64))),
                "unexpected 'h.2.ln_1.weight'");
    }

    @Test
    void aVocabularySizeThatDisagreesWithTheEmbeddingIsNamed() throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.F32, 2);
        f.write(tmp, Layout.plain(StoredType.F32));
        Files.writeString(tmp.resolve("config.json"), f.configJson(Map.of("vocab_size", "120")));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelDirectory.load(tmp));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains(
                "'wte.weight' has 100 rows (tokens) but config.json's vocab_size is 120"), e.getMessage());
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensorUnlessAllowed() throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.F32, 2);
        f.set("h.1.attn.c_proj.bias", 5, Float.NaN);
        f.write(tmp, Layout.plain(StoredType.F32));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelDirectory.load(tmp));
        assertTrue(e.getMessage().contains("'transformer.h.1.attn.c_proj.bias' [64] holds NaN at flat index 5"),
                e.getMessage());
        System.setProperty(ModelDirectory.ALLOW_NON_FINITE, "true");
        try {
            assertTrue(Float.isNaN(ModelDirectory.load(tmp).weights().get("transformer.h.1.attn.c_proj.bias").floats()[5]));
        } finally {
            System.clearProperty(ModelDirectory.ALLOW_NON_FINITE);
        }
    }

    @Test
    void aConfigTooBigForTheHeapIsRefusedBeforeAnyWeightIsRead() throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.F32, 2);
        f.write(tmp, Layout.plain(StoredType.F32));
        Files.writeString(tmp.resolve("config.json"), f.configJson(Map.of("n_embd", "16384", "n_head", "64",
                "n_layer", "96")));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelDirectory.load(tmp));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("309,260,288,000 parameters")
                && e.getMessage().contains("-Xmx"), e.getMessage());
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.F32, 2);
        f.write(tmp, new Layout(StoredType.F32, false, 2, false, false));
        Files.delete(tmp.resolve("model-00002-of-00002.safetensors"));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelDirectory.load(tmp));
        assertTrue(e.getMessage().contains("model.safetensors.index.json")
                && e.getMessage().contains("shard 'model-00002-of-00002.safetensors'"), e.getMessage());
    }

    @Test
    void aShardWithoutATensorTheIndexPutsThereIsNamed() throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.F32, 2);
        f.write(tmp, new Layout(StoredType.F32, false, 2, false, false));
        Path shard = tmp.resolve("model-00001-of-00002.safetensors");
        Map<String, HostTensor> w = new java.util.LinkedHashMap<>(Safetensors.read(shard).tensors());
        w.remove("wpe.weight");
        Safetensors.write(shard, w, Map.of());
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelDirectory.load(tmp));
        assertTrue(e.getMessage().contains("model-00001-of-00002.safetensors")
                && e.getMessage().contains("puts 'wpe.weight' in this shard but it is not there"), e.getMessage());
    }

    @Test
    void missingWeightsFileIsNamed() throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.F32, 2);
        f.write(tmp, Layout.plain(StoredType.F32));
        Files.delete(tmp.resolve("model.safetensors"));
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.load(tmp));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    interface Edit {
        void apply(Map<String, HostTensor> weights);
    }

    /** Writes the tiny fixture, edits its state dict (project writer, F32), loads and checks the one message. */
    private void assertWeightsRefused(boolean tied, Edit edit, String message) throws IOException {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), tied, StoredType.F32, 2);
        f.write(tmp, Layout.plain(StoredType.F32));
        Path file = tmp.resolve("model.safetensors");
        Map<String, HostTensor> w = new java.util.LinkedHashMap<>(Safetensors.read(file).tensors());
        edit.apply(w);
        Safetensors.write(file, w, Map.of());
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelDirectory.load(tmp));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(message), e.getMessage());
    }

    // ---- helpers ----

    static float[] logits(ModelDirectory md, int[] ids) {
        ReferenceEngine engine = new ReferenceEngine();
        Ops ops = engine.inferenceOps();
        try (LoadedWeights w = engine.load(md.weights());
             Tensor in = ops.constant(HostTensor.ofInts(Shape.of(1, ids.length), ids));
             Tensor out = new GptModel((GptConfig) md.config()).logits(ops, w, in)) {
            return out.toFloatArray();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void assertClose(double[][] want, float[] got, double tol) {
        int v = want[0].length;
        double max = 0;
        for (int i = 0; i < want.length; i++) {
            for (int j = 0; j < v; j++) {
                max = Math.max(max, Math.abs(want[i][j] - got[i * v + j]));
            }
        }
        assertTrue(max <= tol, "largest logit difference " + max + " > " + tol);
    }
}
