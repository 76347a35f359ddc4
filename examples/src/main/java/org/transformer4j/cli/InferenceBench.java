package org.transformer4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.ExportedModel;
import org.transformer4j.backend.ExportingEngine;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.backend.ServingEngine;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.generate.OpsGptRuntime;
import org.transformer4j.io.TempDirectories;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tensor.HostTensor;

/**
 * The inference half of {@code bench}: the same GPT (random weights) on backend-cpu and, exported, on ONNX Runtime
 * (both through the SPI and the one {@link GptRuntime} contract),
 * side by side: cached greedy generation (one prompt token, then one token per step against the key/value cache,
 * filling the context without sliding) and a full forward of a batch of 8 x 64 tokens. Each number is the best of
 * several timed runs after a warm-up of at least as many runs and a few seconds (a handful of runs leaves the JIT
 * compiler half done: backend-cpu's cached generation then read 1,100 tokens/s where it runs at 9,000).
 */
final class InferenceBench {
    static final int BATCH = 8;
    static final int FORWARD_TOKENS = 64;

    private InferenceBench() {
    }

    /** What was measured on one runtime. */
    record Result(double generationTokensPerSecond, double forwardMillis) {
        double forwardTokensPerSecond() {
            return BATCH * FORWARD_TOKENS / (forwardMillis / 1e3);
        }
    }

    /** Runs both runtimes on {@code config} with {@code threads} (0: each runtime's default) and prints a table. */
    static void run(GptConfig config, int threads, long seed, int runs, double warmUpSeconds, PrintStream out)
            throws IOException {
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = Initializer.initialize(model.parameterSpecs(), seed);
        int vocab = config.vocabSize();
        int forwardTokens = Math.min(FORWARD_TOKENS, config.contextLength());
        int[][] rows = new int[BATCH][forwardTokens];
        for (int i = 0; i < BATCH * forwardTokens; i++) {
            rows[i / forwardTokens][i % forwardTokens] = (i * 11 + 7) % vocab;
        }
        int[] prompt = {0};
        GenerationOptions greedy = GenerationOptions.greedy(config.contextLength()); // fills the window, no slide
        int[][] positions = new int[BATCH][forwardTokens];
        for (int[] row : positions) {
            java.util.Arrays.setAll(row, j -> j);
        }
        Path dir = Files.createTempDirectory("transformer4j-bench-onnx");
        Result cpu;
        Result onnx;
        EngineOptions options = new EngineOptions(threads, null, seed);
        try {
            try (InferenceEngine engine = Backends.openInference("cpu", options);
                 LoadedWeights w = engine.load(weights)) {
                GptRuntime runtime = new OpsGptRuntime(model, engine.inferenceOps(), w);
                cpu = measure(runtime, prompt, greedy, runs, warmUpSeconds, rows, positions);
            }
            try (ServingEngine serving = Backends.openServing("onnx", options)) {
                serving.capability(ExportingEngine.class).orElseThrow(() -> new IllegalStateException(
                        "the onnx backend does not export")).export(config, weights, null, dir);
                try (ExportedModel served = serving.open(dir)) {
                    onnx = measure(served.gpt().orElseThrow(), prompt, greedy, runs, warmUpSeconds, rows, positions);
                }
            }
        } finally {
            TempDirectories.deleteQuietly(dir);
        }
        out.printf(Locale.ROOT, "inference: GPT %d layers x %d heads x %d wide, vocab %d, context %d, random weights; threads %s; %d cores%n",
                config.layers(), config.heads(), config.embeddingDim(), vocab, config.contextLength(),
                threads == 0 ? "default" : threads, Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "%-40s %12s %12s%n", "", "backend-cpu", "onnxruntime");
        out.printf(Locale.ROOT, "%-40s %12.0f %12.0f%n", "cached generation (" + greedy.maxNewTokens() + " tokens), tokens/s",
                cpu.generationTokensPerSecond(), onnx.generationTokensPerSecond());
        out.printf(Locale.ROOT, "%-40s %12.2f %12.2f%n", "forward " + BATCH + " x " + forwardTokens + ", ms", cpu.forwardMillis(),
                onnx.forwardMillis());
        out.printf(Locale.ROOT, "%-40s %12.0f %12.0f%n", "forward " + BATCH + " x " + forwardTokens + ", tokens/s",
                cpu.forwardTokensPerSecond(), onnx.forwardTokensPerSecond());
        out.printf(Locale.ROOT, "(best of %d timed runs after at least %d warm-up runs and %.1f s of warm-up each)%n",
                runs, runs, warmUpSeconds);
    }

    private static Result measure(GptRuntime runtime, int[] prompt, GenerationOptions options, int runs,
                                  double warmUpSeconds, int[][] rows, int[][] positions) {
        GptGenerator generator = new GptGenerator(runtime);
        int[] produced = new int[1];
        double genSeconds = best(runs, warmUpSeconds, () -> produced[0] = generator.generate(prompt, options, t -> true).length);
        double fwdSeconds = best(runs, warmUpSeconds, () -> {
            try (GptCache cache = runtime.newCache(rows.length)) {
                runtime.forward(cache, rows, positions, null, false);
            }
        });
        return new Result(produced[0] / genSeconds, fwdSeconds * 1e3);
    }

    /** The best of {@code runs} timed runs, in seconds, after at least as many warm-up runs and warm-up seconds. */
    private static double best(int runs, double warmUpSeconds, Runnable r) {
        long warmUntil = System.nanoTime() + (long) (warmUpSeconds * 1e9);
        for (int i = 0; i < runs || System.nanoTime() < warmUntil; i++) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }
}
