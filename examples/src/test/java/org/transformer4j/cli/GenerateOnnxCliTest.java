package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.tokenizer.CharTokenizer;

/** {@code generate} on an exported directory runs ONNX Runtime and prints what the cpu backend prints. */
class GenerateOnnxCliTest {

    @Test
    void greedyAndSampledOutputThroughOnnxEqualsCpu(@TempDir Path tmp) {
        CharTokenizer tokenizer = CharTokenizer.fromText("the quick brown fox jumps over a lazy dog.\n");
        // context 16 and 40 new tokens: the window slides on both paths
        GptConfig config = GptConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(16).layers(2).heads(2)
                .embeddingDim(16).dropout(0f).build();
        Path model = tmp.resolve("model");
        Path exported = tmp.resolve("onnx");
        try {
            new ModelDirectory(config, TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 7), tokenizer)
                    .save(model);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        CliOutput.ok("export", "--model", model.toString(), "--out", exported.toString());
        assertTrue(Files.isRegularFile(exported.resolve("model.onnx")));
        assertTrue(!Files.exists(exported.resolve("model.safetensors")), "the exported directory holds only ONNX files");

        String[] greedy = {"--prompt", "the fox", "--max-tokens", "40", "--temperature", "0", "--threads", "1"};
        String cpu = CliOutput.ok(concat(new String[] {"generate", "--model", model.toString(), "--backend", "cpu"}, greedy));
        String onnx = CliOutput.ok(concat(new String[] {"generate", "--model", exported.toString()}, greedy));
        assertTrue(cpu.startsWith("the fox") && cpu.length() > "the fox".length() + 20, cpu);
        assertEquals(cpu, onnx);
        assertEquals(onnx, CliOutput.ok(concat(new String[] {"generate", "--model", exported.toString(), "--backend", "onnx"},
                greedy)), "--backend onnx on the exported directory: the same");

        String[] sampled = {"--prompt", "a dog", "--max-tokens", "30", "--temperature", "1", "--top-k", "5", "--seed", "11",
                "--threads", "1"};
        String cpuSampled = CliOutput.ok(concat(new String[] {"generate", "--model", model.toString(), "--backend", "cpu"},
                sampled));
        assertNotEquals(cpu, cpuSampled);
        assertEquals(cpuSampled, CliOutput.ok(concat(new String[] {"generate", "--model", exported.toString()}, sampled)));
    }

    @Test
    void onnxOnADirectoryWithoutModelOnnxSaysToExport(@TempDir Path tmp) throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromText("abc");
        GptConfig config = GptConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(8).layers(1).heads(1)
                .embeddingDim(4).build();
        new ModelDirectory(config, TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 1), tokenizer).save(tmp);
        CliOutput.Run r = CliOutput.run("generate", "--model", tmp.toString(), "--backend", "onnx", "--max-tokens", "2");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("export the model first"), r.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
