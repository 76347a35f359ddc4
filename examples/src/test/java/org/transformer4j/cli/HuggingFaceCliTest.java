package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.transformer4j.model.Activation;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tokenizer.CharTokenizer;

/**
 * Hugging Face directories through the tool: {@code export --format hf} writes one that reads back as the same
 * model, and {@code train --init-from} fine-tunes it on a text file with its own tokenizer, on cpu and tensorflow,
 * saving the same layout (config.json GPT2Config, generation_config.json), which {@code generate} reads.
 */
class HuggingFaceCliTest {

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "tensorflow"})
    void exportAsHuggingFaceThenFineTuneItAndGenerate(String backend, @TempDir Path dir) throws Exception {
        String text = "to be or not to be, that is the question.\n".repeat(40);
        Path data = dir.resolve("text.txt");
        Files.writeString(data, text);
        CharTokenizer tok = CharTokenizer.fromText(text);
        GptConfig c = GptConfig.builder().vocabSize(tok.vocabSize()).contextLength(16).layers(1).heads(2).embeddingDim(8)
                .bias(true).activation(Activation.GELU_TANH).build();
        Path nativeDir = dir.resolve("native");
        new ModelDirectory(c, Initializer.initialize(ModelDirectory.modelFor(c).parameterSpecs(), 3), tok).save(nativeDir);

        Path hf = dir.resolve("hf");
        String exported = CliOutput.ok("export", "--format", "hf", "--model", nativeDir.toString(), "--out", hf.toString());
        assertTrue(exported.contains("read back: identical"), exported);
        assertTrue(Files.readString(hf.resolve("config.json")).contains("\"model_type\" : \"gpt2\""));

        Path tuned = dir.resolve("tuned");
        CliOutput.ok("train", "--init-from", hf.toString(), "--data", data.toString(), "--out", tuned.toString(),
                "--steps", "3", "--block-size", "8", "--batch-size", "2", "--eval-interval", "3", "--eval-batches", "1",
                "--warmup", "1", "--threads", "1", "--backend", backend, "--quiet");
        ModelDirectory before = ModelDirectory.load(hf);
        ModelDirectory after = ModelDirectory.load(tuned);
        assertEquals(ModelDirectory.Layout.HUGGING_FACE, after.layout());
        assertTrue(Files.isRegularFile(tuned.resolve("generation_config.json")));
        assertEquals(before.config(), after.config());
        assertNotEquals(before.weights(), after.weights(), "three steps of training changed nothing");

        String generated = CliOutput.ok("generate", "--model", tuned.toString(), "--prompt", "to be", "--max-tokens", "4",
                "--temperature", "0", "--threads", "1", "--backend", "cpu");
        assertTrue(generated.startsWith("to be"), generated);
    }
}
