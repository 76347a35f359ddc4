package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.transformer4j.nn.Activation;
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

    /** {@code generate} takes generation_config.json's settings for the flags left out; a given flag wins. */
    @org.junit.jupiter.api.Test
    void generationConfigSuppliesTheDefaultsThatFlagsOverride(@TempDir Path dir) throws Exception {
        CharTokenizer tok = CharTokenizer.fromText("to be or not to be, that is the question.\n");
        GptConfig c = GptConfig.builder().vocabSize(tok.vocabSize()).contextLength(16).layers(1).heads(2).embeddingDim(8)
                .bias(true).activation(Activation.GELU_TANH).build();
        Path nativeDir = dir.resolve("native");
        new ModelDirectory(c, Initializer.initialize(ModelDirectory.modelFor(c).parameterSpecs(), 3), tok).save(nativeDir);
        Path hf = dir.resolve("hf");
        CliOutput.ok("export", "--format", "hf", "--model", nativeDir.toString(), "--out", hf.toString());
        Files.writeString(hf.resolve("generation_config.json"), "{\"max_new_tokens\": 3, \"do_sample\": false}");

        String byConfig = CliOutput.ok("generate", "--model", hf.toString(), "--prompt", "to be", "--threads", "1");
        String greedy3 = CliOutput.ok("generate", "--model", hf.toString(), "--prompt", "to be", "--threads", "1",
                "--temperature", "0", "--max-tokens", "3");
        String flag5 = CliOutput.ok("generate", "--model", hf.toString(), "--prompt", "to be", "--threads", "1",
                "--max-tokens", "5");
        // one character per token: the prompt, then 3 (generation_config.json) or 5 (the flag) greedy characters
        assertEquals("to be".length() + 3, line(byConfig).length(), byConfig);
        assertEquals(greedy3, byConfig, "do_sample false in generation_config.json means greedy");
        assertEquals("to be".length() + 5, line(flag5).length(), flag5);
        assertTrue(flag5.startsWith(line(byConfig)), flag5 + " vs " + byConfig);
    }

    /** The tool's output without the newline that ends it (generated text may itself hold spaces and newlines). */
    private static String line(String out) {
        assertTrue(out.endsWith("\n"), out);
        return out.substring(0, out.length() - 1);
    }
}
