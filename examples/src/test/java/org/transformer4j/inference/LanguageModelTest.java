package org.transformer4j.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.BackendInfo;
import org.transformer4j.backend.BackendRequirement;
import org.transformer4j.backend.Backends;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GeneratedText;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * The front door: the same short program ({@link #greedy}) opens a GPT model directory, its ONNX export, an
 * encoder-decoder directory and its export, on every available backend that can run each, and gives the same greedy
 * text everywhere; the reference for the text is the cpu backend's token-level generation decoded by the tokenizer.
 */
class LanguageModelTest {
    private static final String TEXT = "ROMEO: what light through yonder window breaks?\n";
    private static Path gptDir;
    private static Path gptOnnx;
    private static Path s2sDir;
    private static Path s2sOnnx;

    @BeforeAll
    static void makeModels(@TempDir Path tmp) throws IOException {
        CharTokenizer chars = CharTokenizer.fromText(TEXT);
        GptConfig gpt = GptConfig.builder().vocabSize(chars.vocabSize()).contextLength(24).layers(2).heads(2)
                .embeddingDim(16).build();
        gptDir = tmp.resolve("gpt");
        save(gpt, new GptModel(gpt).parameterSpecs(), chars, gptDir, 7);
        gptOnnx = TinyModels.exportOnnx(gptDir, tmp.resolve("gpt-onnx"));

        CharTokenizer digits = CharTokenizer.fromText("0123456789 -", List.of(Tokenizer.BOS, Tokenizer.EOS));
        Seq2SeqConfig s2s = Seq2SeqConfig.builder().vocabSize(digits.vocabSize()).contextLength(16).encoderLayers(1)
                .decoderLayers(2).heads(2).embeddingDim(16).build();
        s2sDir = tmp.resolve("s2s");
        save(s2s, new Seq2SeqModel(s2s).parameterSpecs(), digits, s2sDir, 8);
        s2sOnnx = TinyModels.exportOnnx(s2sDir, tmp.resolve("s2s-onnx"));
    }

    /** The fixture's spread random weights: greedy choices win by far more than float rounding between runtimes. */
    private static void save(ModelConfig config, List<org.transformer4j.nn.ParameterSpec> specs, Tokenizer tokenizer,
            Path dir, long seed) throws IOException {
        Map<String, HostTensor> weights = TinyModels.randomWeights(specs, seed);
        new ModelDirectory(config, weights, tokenizer).save(dir);
    }

    /** The program the README shows: open, generate greedily, close. */
    static String greedy(Path dir, String backend, String prompt) throws IOException {
        try (LanguageModel lm = LanguageModel.builder(dir).backend(backend).threads(1).open()) {
            GeneratedText t = lm.generate(prompt, GenerationOptions.greedy(12));
            return t.text();
        }
    }

    /** Every available backend that meets {@code requirement}. */
    private static List<String> backends(BackendRequirement requirement) {
        List<String> names = new ArrayList<>();
        for (BackendInfo b : Backends.list()) {
            if (b.available() && requirement.isMetBy(b.capabilities())) {
                names.add(b.name());
            }
        }
        return names;
    }

    @Test
    void theSameProgramGivesTheSameGptTextOnEveryBackend() throws IOException {
        String expected;
        try (LanguageModel lm = LanguageModel.builder(gptDir).backend("cpu").threads(1).open()) {
            int[] tokens = lm.generateTokens(lm.tokenizer().encode("ROMEO:"), GenerationOptions.greedy(12), t -> true);
            expected = lm.tokenizer().decode(tokens);
            assertEquals(12, tokens.length);
        }
        List<String> weightBackends = backends(BackendRequirement.INFERENCE);
        List<String> servingBackends = backends(BackendRequirement.SERVING);
        assertTrue(weightBackends.contains("cpu"), weightBackends.toString());
        assertTrue(servingBackends.contains("onnx"), servingBackends.toString());
        for (String b : weightBackends) {
            assertEquals(expected, greedy(gptDir, b, "ROMEO:"), b + " on the model directory");
        }
        for (String b : servingBackends) {
            assertEquals(expected, greedy(gptOnnx, b, "ROMEO:"), b + " on the ONNX export");
        }
        assertEquals(expected, greedy(gptDir, null, "ROMEO:"));
        assertEquals(expected, greedy(gptOnnx, null, "ROMEO:"));
    }

    @Test
    void theSameProgramTranslatesTheSameOnEveryBackend() throws IOException {
        String expected;
        try (LanguageModel lm = LanguageModel.builder(s2sDir).backend("cpu").threads(1).open()) {
            int bos = lm.tokenizer().bosId().getAsInt();
            int eos = lm.tokenizer().eosId().getAsInt();
            int[] target = lm.generateTokens(lm.tokenizer().encode("12 34"), GenerationOptions.greedy(12), t -> true);
            assertTrue(target.length <= 12 && (target.length == 0 || target[target.length - 1] != eos),
                    "the target comes without its final EOS");
            assertTrue(bos != eos);
            expected = lm.tokenizer().decode(target);
            assertTrue(lm.gptRuntime().isEmpty());
            assertTrue(lm.seq2seqRuntime().isPresent());
        }
        for (String b : backends(BackendRequirement.INFERENCE)) {
            assertEquals(expected, greedy(s2sDir, b, "12 34"), b + " on the model directory");
        }
        for (String b : backends(BackendRequirement.SERVING)) {
            assertEquals(expected, greedy(s2sOnnx, b, "12 34"), b + " on the ONNX export");
        }
    }

    @Test
    void isInspectableAndOffersTheGptRuntime() throws IOException {
        try (LanguageModel lm = LanguageModel.open(gptOnnx)) {
            assertEquals(gptOnnx, lm.directory());
            assertEquals("onnx", lm.backend());
            assertEquals("cpu", lm.device());
            assertEquals(24, lm.contextLength());
            assertEquals(lm.tokenizer().vocabSize(), lm.vocabSize());
            assertInstanceOf(GptConfig.class, lm.config());
            assertEquals(24, lm.gptRuntime().orElseThrow().contextLength());
        }
        try (LanguageModel lm = LanguageModel.open(gptDir)) {
            assertEquals("cpu", lm.backend());
        }
    }

    @Test
    void batchedStreamedAndBeamTextAgreeWithSingleCalls() throws IOException {
        try (LanguageModel lm = LanguageModel.builder(gptDir).backend("cpu").threads(1).open()) {
            List<String> prompts = List.of("ROMEO:", "what", "w");
            GenerationOptions options = GenerationOptions.greedy(10).withStopStrings(List.of("\n"));
            List<GeneratedText> batched = lm.generate(prompts, options);
            StringBuilder streamed = new StringBuilder();
            for (int i = 0; i < prompts.size(); i++) {
                GeneratedText alone = i == 0 ? lm.generate(prompts.get(i), options, streamed::append)
                        : lm.generate(prompts.get(i), options);
                assertEquals(alone, batched.get(i), "prompt " + i);
            }
            assertEquals(batched.get(0).text(), streamed.toString());
            List<GeneratedText> beams = lm.beamSearch("ROMEO:", new BeamSearchOptions(1, 1.0, 10, 1, Set.of()));
            assertEquals(lm.generate("ROMEO:", GenerationOptions.greedy(10)).text(), beams.get(0).text());
        }
    }

    @Test
    void errorsSayWhatWasFoundAndWhatToDo(@TempDir Path tmp) throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "nothing here");
        String m = assertThrows(IllegalArgumentException.class, () -> LanguageModel.open(empty)).getMessage();
        assertTrue(m.contains("notes.txt") && m.contains("config.json"), m);
        m = assertThrows(IllegalArgumentException.class, () -> LanguageModel.builder(gptDir).backend("onnx").open())
                .getMessage();
        assertTrue(m.contains("export"), m);
        m = assertThrows(IllegalArgumentException.class, () -> LanguageModel.builder(gptOnnx).backend("cpu").open())
                .getMessage();
        assertTrue(m.contains("serve exported graphs"), m);
        m = assertThrows(IOException.class, () -> LanguageModel.open(tmp.resolve("missing"))).getMessage();
        assertTrue(m.contains("not a directory"), m);
        assertFalse(m.isBlank());
    }
}
