package org.transformer4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Speed of encoding the whole bundled Shakespeare with the Llama 3-, Qwen2- and SmolLM2-style tokenizer.json files of
 * {@link HfVariantsOracleTest} (a Split regular expression in {@link java.util.regex}, then byte-level BPE): ours
 * (a new tokenizer each round: empty chunk cache) against Hugging Face's Rust tokenizers through DJL, interleaved
 * round by round in one JVM. A program, not a test; run as {@link Gpt2EncodeBenchmark} says, with this class name;
 * argument: rounds (default 5).
 */
public final class HfVariantsEncodeBenchmark {
    private HfVariantsEncodeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        HfVariantsOracleTest.load();
        String text = Gpt2Fixture.fullShakespeare();
        Path dir = Files.createTempDirectory("hf-variants-bench");
        for (String name : new String[] {"llama3", "qwen2", "smollm2"}) {
            Path file = dir.resolve(name + ".json");
            String json = HfVariantsOracleTest.MAPPER.writeValueAsString(
                    switch (name) {
                        case "llama3" -> HfVariantsOracleTest.llama3();
                        case "qwen2" -> HfVariantsOracleTest.qwen2();
                        default -> HfVariantsOracleTest.smollm2(false, Integer.MAX_VALUE);
                    });
            Files.writeString(file, json);
            double ours = 0;
            double theirs = 0;
            try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file, HuggingFaceOracleTest.PLAIN)) {
                for (int r = 0; r <= rounds; r++) {
                    Tokenizer t = Tokenizers.fromJson(json);
                    long a = System.nanoTime();
                    int[] mine = t.encode(text);
                    long b = System.nanoTime();
                    long[] ref = hf.encode(text, false, false).getIds();
                    long c = System.nanoTime();
                    if (!Arrays.equals(mine, Arrays.stream(ref).mapToInt(Math::toIntExact).toArray())) {
                        throw new AssertionError(name + ": the ids differ");
                    }
                    if (r > 0) { // round 0 warms up
                        ours += (b - a) / 1e6;
                        theirs += (c - b) / 1e6;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%s: ours %.0f ms, HF tokenizers (DJL) %.0f ms per encode of %d chars;"
                    + " ours/HF = %.2f%n", name, ours / rounds, theirs / rounds, text.length(), ours / theirs);
        }
    }
}
