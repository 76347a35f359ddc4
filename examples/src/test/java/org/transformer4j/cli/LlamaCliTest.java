package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Initializer;
import org.transformer4j.nn.layers.RopeScaling;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.CharTokenizer;

/**
 * {@code generate --model DIR} on a Llama-family directory (GQA 4 heads / 2 key/value heads, llama3 rope scaling,
 * untied head): the same greedy text on cpu and tensorflow, equal to the library's token-level generation decoded;
 * generation_config.json's eos ids stop it; a Mistral directory whose sliding window matters is refused naming the
 * field.
 */
class LlamaCliTest {
    private static final String TEXT = "to be or not to be, that is the question.\n";

    @Test
    void generatesTheSameGreedyTextOnCpuAndTensorflow(@TempDir Path tmp) throws Exception {
        Path dir = tinyLlama(tmp.resolve("llama"));
        String expected;
        try (LanguageModel lm = LanguageModel.builder(dir).backend("cpu").threads(1).open()) {
            int[] tokens = lm.generateTokens(lm.tokenizer().encode("to be"), GenerationOptions.greedy(8), t -> true);
            assertEquals(8, tokens.length);
            expected = "to be" + lm.tokenizer().decode(tokens) + "\n";
        }
        for (String backend : new String[] {"cpu", "tensorflow"}) {
            String out = CliOutput.ok("generate", "--model", dir.toString(), "--prompt", "to be", "--max-tokens", "8",
                    "--temperature", "0", "--threads", "1", "--backend", backend);
            assertEquals(expected, out, backend);
        }
        // the first generated character becomes an end-of-sequence id (the second of two): generation stops before it
        CharTokenizer tok = CharTokenizer.fromText(TEXT);
        int first = tok.encode(expected.substring(5, 6))[0];
        int other = first == 0 ? 1 : 0;
        Files.writeString(dir.resolve(ModelDirectory.GENERATION_CONFIG),
                "{\"eos_token_id\": [" + other + ", " + first + "], \"do_sample\": false}");
        String stopped = CliOutput.ok("generate", "--model", dir.toString(), "--prompt", "to be", "--max-tokens", "8",
                "--threads", "1", "--backend", "cpu");
        assertEquals("to be\n", stopped);
    }

    @Test
    void refusesAMistralWhoseSlidingWindowMatters(@TempDir Path tmp) throws Exception {
        Path dir = tinyLlama(tmp.resolve("mistral"));
        String config = Files.readString(dir.resolve("config.json"));
        config = config.replace("\"model_type\" : \"llama\"", "\"model_type\" : \"mistral\"")
                .replace("LlamaForCausalLM", "MistralForCausalLM");
        config = config.substring(0, config.lastIndexOf('}')) + ", \"sliding_window\": 8}\n";
        assertNotEquals(Files.readString(dir.resolve("config.json")), config);
        Files.writeString(dir.resolve("config.json"), config);
        CliOutput.Run r = CliOutput.run("generate", "--model", dir.toString(), "--prompt", "to", "--threads", "1");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("sliding_window 8") && r.err().contains("max_position_embeddings"), r.err());
    }

    /** A 2-layer Llama with random weights spread wide enough that greedy choices win by far more than rounding. */
    static Path tinyLlama(Path dir) throws Exception {
        CharTokenizer tok = CharTokenizer.fromText(TEXT);
        LlamaConfig c = new LlamaConfig(LlamaConfig.Family.LLAMA, tok.vocabSize(), 32, 48, 2, 4, 2, 8, 1e-5f,
                500000.0, RopeScaling.llama3(8.0, 1.0, 4.0, 16), 64, false, false, false);
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        Initializer.initialize(new LlamaModel(c).parameterSpecs(), 5).forEach((name, t) -> {
            float[] f = t.floats().clone();
            for (int i = 0; i < f.length; i++) {
                f[i] *= name.contains("norm") ? 1f : 12f;
            }
            weights.put(name, HostTensor.ofFloats(t.shape(), f));
        });
        new ModelDirectory(c, weights, tok).save(dir);
        assertTrue(Files.readString(dir.resolve("config.json")).contains("LlamaForCausalLM"));
        return dir;
    }
}
