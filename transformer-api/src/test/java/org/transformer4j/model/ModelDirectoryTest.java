package org.transformer4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.io.Safetensors;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizers;

/**
 * Model directories: a round trip is exact; every way the three files can disagree with each other or be broken
 * fails naming the file and the problem; a save that fails half-way (or cannot start) leaves what was there.
 */
class ModelDirectoryTest {
    @TempDir
    Path tmp;

    /** 11 characters; the model's vocabulary is 12 (one spare id, as nanoGPT pads its vocabulary). */
    private static final CharTokenizer TOKENIZER = CharTokenizer.fromText("abcdefghij ");
    private static final GptConfig CONFIG = GptConfig.builder().vocabSize(12).contextLength(8).layers(2).heads(2)
            .embeddingDim(8).bias(true).tiedEmbeddings(true).build();

    private static Map<String, HostTensor> weights(long seed) {
        return Initializer.initialize(new GptModel(CONFIG).parameterSpecs(), seed);
    }

    private Path saved(long seed) throws IOException {
        Path dir = tmp.resolve("model");
        new ModelDirectory(CONFIG, weights(seed), TOKENIZER).save(dir);
        return dir;
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "expected \"" + p + "\" in: " + e.getMessage());
        }
    }

    @Test
    void roundTripIsExact() throws IOException {
        Path dir = saved(1);
        ModelDirectory loaded = ModelDirectory.load(dir);
        assertEquals(CONFIG, loaded.config());
        assertEquals(List.copyOf(weights(1).keySet()), List.copyOf(loaded.weights().keySet()), "parameter order");
        weights(1).forEach((k, v) -> assertEquals(v, loaded.weights().get(k), k));
        assertEquals(TOKENIZER.toJson(), loaded.tokenizer().toJson());
    }

    /** Rewrites model.safetensors with {@code edit} applied to the saved weights. */
    private Path withWeights(java.util.function.Consumer<Map<String, HostTensor>> edit) throws IOException {
        Path dir = saved(1);
        Map<String, HostTensor> w = new LinkedHashMap<>(weights(1));
        edit.accept(w);
        Safetensors.write(dir.resolve(ModelDirectory.WEIGHTS), w, Map.of());
        return dir;
    }

    @Test
    void missingUnexpectedMisShapedOrIntegerWeightsAreNamedWithTheFile() throws IOException {
        Path dir = withWeights(w -> {
            w.remove("transformer.h.1.ln_2.bias");
            w.put("transformer.h.2.ln_1.weight", HostTensor.zeros(Shape.of(8)));
            w.put("transformer.h.0.mlp.c_fc.weight", HostTensor.zeros(Shape.of(16, 8)));
            w.put("transformer.ln_f.bias", HostTensor.ofInts(Shape.of(8), new int[8]));
        });
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelDirectory.load(dir));
        assertEquals(dir.resolve(ModelDirectory.WEIGHTS), e.file());
        assertMessage(e, dir.resolve(ModelDirectory.WEIGHTS) + ": the weights do not match config.json",
                "missing 'transformer.h.1.ln_2.bias' [8]",
                "unexpected 'transformer.h.2.ln_1.weight' (not a weight of this gpt config)",
                "'transformer.h.0.mlp.c_fc.weight' has shape [16, 8] but the config needs [32, 8]",
                "'transformer.ln_f.bias' is INT32, weights must be floating point");
    }

    @Test
    void aCheckpointOfADifferentConfigListsTheFirstTenProblemsAndCountsTheRest() throws IOException {
        Path dir = withWeights(w -> w.clear());
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelDirectory.load(dir));
        int expected = new GptModel(CONFIG).parameterSpecs().size();
        assertMessage(e, "missing 'transformer.wte.weight' [12, 8]", "; and " + (expected - 10) + " more");
    }

    @Test
    void nanoGptConventionsLoadButAnUntiedHeadInATiedConfigIsRefused() throws IOException {
        Path dir = withWeights(w -> {
            Map<String, HostTensor> renamed = new LinkedHashMap<>();
            w.forEach((k, v) -> renamed.put("_orig_mod." + k, v));
            renamed.put("_orig_mod.transformer.h.0.attn.bias", HostTensor.zeros(Shape.of(1, 1, 8, 8)));
            renamed.put("lm_head.weight", w.get("transformer.wte.weight"));
            w.clear();
            w.putAll(renamed);
        });
        ModelDirectory loaded = ModelDirectory.load(dir);
        weights(1).forEach((k, v) -> assertEquals(v, loaded.weights().get(k), k));

        Path untied = withWeights(w -> w.put("lm_head.weight", HostTensor.zeros(Shape.of(12, 8))));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelDirectory.load(untied));
        assertMessage(e, "'lm_head.weight' differs from 'transformer.wte.weight'", "tie_embeddings");
    }

    @Test
    void aTokenizerWithMoreIdsThanTheVocabularyIsRefusedNamingTokenizerJson() throws IOException {
        Path dir = saved(1);
        Path tokenizerFile = dir.resolve(ModelDirectory.TOKENIZER);
        Tokenizers.save(CharTokenizer.fromText("abcdefghijklmnopqrstuvwxyz"), tokenizerFile);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelDirectory.load(dir));
        assertEquals(tokenizerFile, e.file());
        assertMessage(e, "the tokenizer has 26 ids but the model's vocab_size is 12");

        var onSave = assertThrows(CheckpointFormatException.class, () -> new ModelDirectory(CONFIG, weights(1),
                CharTokenizer.fromText("abcdefghijklmnopqrstuvwxyz")).save(tmp.resolve("other")));
        assertMessage(onSave, "the tokenizer has 26 ids");
    }

    @Test
    void aBrokenTokenizerJsonIsNamed() throws IOException {
        Path dir = saved(1);
        Path tokenizerFile = dir.resolve(ModelDirectory.TOKENIZER);
        Files.writeString(tokenizerFile, "{ \"model\": ");
        var e = assertThrows(IllegalArgumentException.class, () -> ModelDirectory.load(dir));
        assertMessage(e, tokenizerFile.toString());
        Files.delete(tokenizerFile);
        // no tokenizer at all: the directory is named with what it may hold (tokenizer.json, or vocab.json + merges.txt)
        var missing = assertThrows(NoSuchFileException.class, () -> ModelDirectory.load(dir));
        assertMessage(missing, dir.toString());
        assertMessage(missing, "tokenizer.json");
        assertMessage(missing, "vocab.json + merges.txt");
    }

    static Stream<String[]> brokenConfigs() {
        String good = ModelConfigJson.toJson(CONFIG);
        return Stream.of(
                new String[] {good.replace("\"n_head\" : 2,", ""), "missing the required field \"n_head\""},
                new String[] {good.replace("{", "{ \"n_heads\": 2,"), "unknown field(s) [n_heads]"},
                new String[] {good.replace("{", "{ \"encoder_layers\": 2,"), "unknown field(s) [encoder_layers]"},
                new String[] {good.replace("\"n_head\" : 2", "\"n_head\" : 3"), "n_embd=8 is not divisible by n_head=3"},
                new String[] {good.replace("\"n_head\" : 2", "\"n_head\" : null"), "missing the required field"},
                new String[] {good.replace("\"learned\"", "\"sinusoidal\"").replace("\"n_embd\" : 8", "\"n_embd\" : 9")
                        .replace("\"n_head\" : 2", "\"n_head\" : 3"), "must be even with positional_encoding"},
                new String[] {good.replace("\"dropout\" : 0.0", "\"dropout\" : 1.0"), "dropout must be in [0, 1)"},
                new String[] {good.replace("\"vocab_size\" : 12", "\"vocab_size\" : 0"), "vocab_size must be > 0"},
                new String[] {good.replace("\"n_layer\" : 2", "\"n_layer\" : 2.5"), "n_layer must be an integer"},
                new String[] {good.replace("\"n_layer\" : 2", "\"n_layer\" : 4294967296"), "n_layer must be an integer"},
                new String[] {"", "must hold a JSON object"},
                new String[] {good.substring(0, good.length() / 2), "not valid JSON"});
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("brokenConfigs")
    void aBrokenOrSelfContradictingConfigIsNamed(String json, String expected) throws IOException {
        Path dir = saved(1);
        Path configFile = dir.resolve(ModelDirectory.CONFIG);
        Files.writeString(configFile, json);
        var e = assertThrows(ConfigException.class, () -> ModelDirectory.load(dir));
        assertTrue(e.getMessage().startsWith(configFile + ": "), e.getMessage());
        assertMessage(e, expected);
    }

    @Test
    void aConfigThatIsNotUtf8IsNamed() throws IOException {
        Path dir = saved(1);
        Path configFile = dir.resolve(ModelDirectory.CONFIG);
        byte[] bytes = ModelConfigJson.toJson(CONFIG).getBytes(StandardCharsets.UTF_8);
        bytes[5] = (byte) 0xC3; // a lead byte followed by an ASCII byte: malformed
        Files.write(configFile, bytes);
        var e = assertThrows(ConfigException.class, () -> ModelDirectory.load(dir));
        assertMessage(e, configFile.toString(), "not UTF-8");
    }

    @Test
    void missingFilesAndDirectoriesAreNamed() throws IOException {
        var noDir = assertThrows(NoSuchFileException.class, () -> ModelDirectory.load(tmp.resolve("nothing")));
        assertMessage(noDir, tmp.resolve("nothing").toString(), "not a model directory");
        Path dir = saved(1);
        Files.delete(dir.resolve(ModelDirectory.CONFIG));
        var noConfig = assertThrows(NoSuchFileException.class, () -> ModelDirectory.load(dir));
        assertMessage(noConfig, dir.resolve(ModelDirectory.CONFIG).toString());
    }

    @Test
    void savingWeightsThatDoNotFitTheConfigIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path dir = saved(1);
        byte[] before = Files.readAllBytes(dir.resolve(ModelDirectory.WEIGHTS));
        Map<String, HostTensor> w = new LinkedHashMap<>(weights(2));
        w.remove("transformer.ln_f.weight");
        var e = assertThrows(CheckpointFormatException.class, () -> new ModelDirectory(CONFIG, w, TOKENIZER).save(dir));
        assertMessage(e, "missing 'transformer.ln_f.weight'");
        assertArrayEquals(before, Files.readAllBytes(dir.resolve(ModelDirectory.WEIGHTS)));
    }

    @Test
    void savingWhereARegularFileStandsFailsNamingItAndLeavesTheFile() throws IOException {
        Path blocker = tmp.resolve("model");
        Files.writeString(blocker, "not a directory");
        var e = assertThrows(IOException.class, () -> new ModelDirectory(CONFIG, weights(1), TOKENIZER).save(blocker));
        assertMessage(e, blocker.toString(), "not a directory");
        assertEquals("not a directory", Files.readString(blocker));
    }

    /**
     * A save that is cut off (the saving thread is interrupted, as {@code ExecutorService.shutdownNow()} does, so the
     * first write to disk fails with ClosedByInterruptException) leaves the previous directory loadable with its old
     * weights and no temporary file behind.
     */
    @Test
    void anInterruptedSaveLeavesThePreviousDirectoryIntact() throws IOException {
        Path dir = saved(1);
        Map<String, byte[]> before = new LinkedHashMap<>();
        for (String f : List.of(ModelDirectory.CONFIG, ModelDirectory.WEIGHTS, ModelDirectory.TOKENIZER)) {
            before.put(f, Files.readAllBytes(dir.resolve(f)));
        }
        IOException e;
        Thread.currentThread().interrupt();
        try {
            e = assertThrows(IOException.class, () -> new ModelDirectory(CONFIG, weights(2), TOKENIZER).save(dir));
        } finally {
            Thread.interrupted(); // clear the flag whatever happened
        }
        assertMessage(e, "cannot write " + dir.resolve(ModelDirectory.TOKENIZER));
        for (var f : before.entrySet()) {
            assertArrayEquals(f.getValue(), Files.readAllBytes(dir.resolve(f.getKey())), f.getKey());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(3, files.count(), "no temporary file left");
        }
        weights(1).forEach((k, v) -> {
            try {
                assertEquals(v, ModelDirectory.load(dir).weights().get(k), k);
            } catch (IOException io) {
                throw new java.io.UncheckedIOException(io);
            }
        });
    }
}
