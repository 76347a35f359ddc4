package org.transformer4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Speed of GPT-2 encoding: ours against JTokkit (Java) and Hugging Face's Rust tokenizers (through DJL), on the
 * whole bundled Shakespeare (1.1 MB), interleaved round by round in one JVM. A program, not a test: run its main
 * with the test class path from the transformer-api folder; argument: rounds (default 10). From the repository
 * root:
 * <pre>{@code
 * ./mvnw -q -o -pl transformer-api test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * cd transformer-api && java -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) \
 *     org.transformer4j.tokenizer.Gpt2EncodeBenchmark 10
 * }</pre>
 *
 * <p>"ours, warm" encodes with one tokenizer whose chunk cache is filled by the first round; "ours, fresh" loads
 * nothing new but encodes with a new tokenizer instance each round (empty cache, warm JIT), so it pays for every
 * distinct word's merges; the load of the 50k vocabulary is timed separately.
 */
public final class Gpt2EncodeBenchmark {
    private Gpt2EncodeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Gpt2Fixture gpt2 = Gpt2Fixture.get();
        String text = Gpt2Fixture.fullShakespeare();
        String json = java.nio.file.Files.readString(gpt2.dir.resolve("tokenizer.json"));
        long t0 = System.nanoTime();
        Tokenizer warm = Tokenizers.fromJson(json);
        double loadMs = (System.nanoTime() - t0) / 1e6;
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(gpt2.dir.resolve("tokenizer.json"),
                HuggingFaceOracleTest.PLAIN);
        int[] reference = gpt2.jtokkit.encodeOrdinary(text).toArray();

        List<String> names = List.of("ours, warm cache", "ours, fresh cache", "JTokkit", "HF tokenizers (DJL)");
        List<Supplier<int[]>> runs = new ArrayList<>();
        runs.add(() -> warm.encode(text));
        runs.add(() -> Tokenizers.fromJson(json).encode(text));
        runs.add(() -> gpt2.jtokkit.encodeOrdinary(text).toArray());
        runs.add(() -> HuggingFaceOracleTest.ids(hf, text));
        double[][] ms = new double[runs.size()][rounds];
        for (int warmUp = 0; warmUp < 3; warmUp++) {
            for (Supplier<int[]> r : runs) {
                check(r.get(), reference);
            }
        }
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < runs.size(); k++) {
                Tokenizer fresh = k == 1 ? Tokenizers.fromJson(json) : null;
                long s = System.nanoTime();
                int[] ids = k == 1 ? fresh.encode(text) : runs.get(k).get();
                ms[k][round] = (System.nanoTime() - s) / 1e6;
                check(ids, reference);
            }
        }
        System.out.printf(Locale.ROOT, "GPT-2 encode of tinyshakespeare.txt (%,d chars, %,d tokens), %d rounds,"
                + " %d CPUs; vocabulary load (tokenizer.json, 50,257 tokens): %.0f ms%n", text.length(),
                reference.length, rounds, Runtime.getRuntime().availableProcessors(), loadMs);
        double base = median(ms[2]);
        for (int k = 0; k < runs.size(); k++) {
            System.out.printf(Locale.ROOT, "  %-22s median %7.1f ms  min %7.1f ms  (%.2fx JTokkit's time)%n",
                    names.get(k), median(ms[k]), Arrays.stream(ms[k]).min().orElseThrow(), median(ms[k]) / base);
        }
        hf.close();
    }

    private static void check(int[] ids, int[] reference) {
        if (!Arrays.equals(ids, reference)) {
            throw new AssertionError("ids differ from JTokkit's");
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
