package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.tokenizer.CharTokenizer;

/**
 * {@code generate --weights}: bf16 runs on the cpu backend from a model directory; another backend and an exported
 * directory refuse it with the library's message; an unknown precision is a usage error. (Greedy text at bf16 need not
 * equal float32's on a tiny random model, so only that it runs and continues the prompt is asserted.)
 */
class GenerateWeightsCliTest {

    @Test
    void bf16RunsOnCpuAndIsRefusedElsewhere(@TempDir Path tmp) throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromText("the quick brown fox jumps over a lazy dog.\n");
        GptConfig config = GptConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(16).layers(2).heads(2)
                .embeddingDim(16).dropout(0f).build();
        Path model = tmp.resolve("model");
        new ModelDirectory(config, TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 7), tokenizer)
                .save(model);
        String[] greedy = {"--prompt", "the fox", "--max-tokens", "12", "--temperature", "0", "--threads", "1"};

        String f32 = CliOutput.ok(concat(new String[] {"generate", "--model", model.toString(), "--backend", "cpu",
                "--weights", "float32"}, greedy));
        String bf16 = CliOutput.ok(concat(new String[] {"generate", "--model", model.toString(), "--backend", "cpu",
                "--weights", "bf16"}, greedy));
        for (String out : new String[] {f32, bf16}) {
            assertTrue(out.startsWith("the fox") && out.length() > "the fox".length() + 6, out);
        }

        CliOutput.Run tf = CliOutput.run(concat(new String[] {"generate", "--model", model.toString(), "--backend",
                "tensorflow", "--weights", "bf16"}, greedy));
        assertEquals(1, tf.code(), tf.err());
        assertTrue(tf.err().contains("backend 'tensorflow' keeps inference weights in float32 only, not BF16"), tf.err());

        Path exported = tmp.resolve("onnx");
        CliOutput.ok("export", "--model", model.toString(), "--out", exported.toString());
        CliOutput.Run onnx = CliOutput.run(concat(new String[] {"generate", "--model", exported.toString(),
                "--weights", "bf16"}, greedy));
        assertEquals(1, onnx.code(), onnx.err());
        assertTrue(onnx.err().contains("from an exported graph") && onnx.err().contains("BF16 weights need a model directory"),
                onnx.err());

        CliOutput.Run bad = CliOutput.run("generate", "--model", model.toString(), "--weights", "int8");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("'int8' is not a weight precision; give float32 or bf16"), bad.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
