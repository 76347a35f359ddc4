package org.transformer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.model.GptConfig;

/**
 * A graph we did not write: {@code scripts/reference/gpt2_onnx_torch.py} builds a tiny GPT-2 in HF's formulas in
 * PyTorch and exports it with {@code torch.onnx.export} under Hugging Face Optimum's input and output names and
 * dynamic axes, beside an HF config.json and tokenizer.json (the fixture {@code optimum-gpt2}, no transformer4j
 * metadata). backend-onnx serves it from the config.json beside it: PyTorch's float64 logits within 1e-4, with and
 * without the cache, for a left-padded batch, the same greedy tokens; and {@link LanguageModel#open} takes the
 * directory as it is.
 */
class OptimumGpt2GraphTest {
    private static final String RESOURCES = "/org/transformer4j/onnx/optimum-gpt2";
    private static final String[] FILES = {"model.onnx", "config.json", "generation_config.json", "tokenizer.json",
            "reference.safetensors"};

    @TempDir
    Path tmp;

    private Path fixture() throws Exception {
        return PyTorchReference.copy(RESOURCES, tmp.resolve("optimum-gpt2"), FILES);
    }

    @Test
    void servesTheForeignGraphWithPyTorchsLogits() throws Exception {
        Path dir = fixture();
        PyTorchReference ref = PyTorchReference.read("optimum-gpt2", dir);
        try (OnnxModel model = OnnxModel.open(dir)) {
            GptConfig config = (GptConfig) model.config();
            assertEquals(2, config.layers());
            assertEquals(32, config.embeddingDim());
            assertTrue(model.tokenizer().isEmpty(), "no tokenizer in a foreign graph's metadata");
            ref.logitsMatch(model);
            ref.cachedLogitsMatch(model);
            ref.paddedLogitsMatch(model);
            ref.greedyTokensMatch(model);
        }
    }

    @Test
    void languageModelOpensTheDirectoryOnOnnxAndGeneratesPyTorchsTokens() throws Exception {
        Path dir = fixture();
        PyTorchReference ref = PyTorchReference.read("optimum-gpt2", dir);
        try (LanguageModel lm = LanguageModel.open(dir)) {
            assertEquals("onnx", lm.backend(), "a config.json without weights beside model.onnx is served by onnx");
            int[][] prompts = ref.greedyPrompt();
            int[][] want = ref.greedyTokens();
            for (int r = 0; r < prompts.length; r++) {
                assertArrayEquals(want[r], lm.generateTokens(prompts[r], GenerationOptions.greedy(want[r].length),
                        t -> true), "row " + r);
            }
            String text = lm.generate("the cat", GenerationOptions.greedy(4)).text();
            assertEquals(lm.tokenizer().decode(lm.tokenizer().encode(text)), text, "the directory's tokenizer.json");
        }
    }

    @Test
    void aForeignGraphWithoutConfigJsonBesideItIsRefused() throws Exception {
        Path dir = fixture();
        Files.delete(dir.resolve("config.json"));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> OnnxModel.open(dir));
        assertTrue(e.getMessage().contains("without transformer4j's metadata") && e.getMessage().contains("config.json"),
                e.getMessage());
    }

    @Test
    void aConfigJsonThatDoesNotFitTheGraphIsRefusedNamingTheInput() throws Exception {
        Path dir = fixture();
        String json = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), json.replace("\"n_head\": 4", "\"n_head\": 2"));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> OnnxModel.open(dir));
        assertTrue(e.getMessage().contains("past_key_values.0.key") && e.getMessage().contains("Optimum"),
                e.getMessage());
    }
}
