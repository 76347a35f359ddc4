package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.Hypothesis;
import org.transformer4j.nn.Activation;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The cpu backend under load: many threads generating at once on one engine and one set of loaded weights give, bit
 * for bit, what they give one after another; and ten thousand inference calls leave resident memory flat.
 */
class CpuLoadTest {
    static final int THREADS = 16;
    static final int CALLS = 10_000;

    /** Wide enough (64, feed-forward 256) that the matrix products split across the engine's two threads. */
    private static GptModel model() {
        return new GptModel(new GptConfig(97, 48, 2, 4, 64, 256, 0f, true, false, PositionalEncodingType.LEARNED,
                NormPlacement.PRE, Activation.GELU));
    }

    /** What thread {@code i} computes: greedy, seeded sampling, or beam search, from its own prompt. */
    private static List<int[]> work(GptGenerator g, int i) {
        Random r = new Random(i);
        int[] prompt = new int[3 + i % 7];
        for (int j = 0; j < prompt.length; j++) {
            prompt[j] = r.nextInt(97);
        }
        List<int[]> out = new ArrayList<>();
        switch (i % 3) {
            case 0 -> out.add(g.generate(prompt, GenerationOptions.greedy(24), t -> true));
            case 1 -> out.add(g.generate(prompt, GenerationOptions.sampling(24, 0.9f, 20, 1000 + i), t -> true));
            default -> {
                for (Hypothesis h : g.beamSearch(prompt, new BeamSearchOptions(3, 1.0, 12, 3, Set.of(5)))) {
                    out.add(h.tokens());
                }
            }
        }
        return out;
    }

    @Test
    void sixteenThreadsOnOneEngineAndOneSetOfWeightsGiveTheSequentialResults() throws Exception {
        GptModel model = model();
        Map<String, HostTensor> weights = TinyModels.gradientWeights(model.parameterSpecs(), 7);
        try (TrainingEngine engine = new CpuBackend().open(EngineOptions.defaults().withThreads(2));
             LoadedWeights w = engine.load(weights)) {
            GptGenerator generator = new GptGenerator(model, engine.inferenceOps(), w);
            List<List<int[]>> sequential = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                sequential.add(work(generator, i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                for (int round = 0; round < 3; round++) {
                    CyclicBarrier start = new CyclicBarrier(THREADS);
                    List<Future<List<int[]>>> futures = new ArrayList<>();
                    for (int i = 0; i < THREADS; i++) {
                        int id = i;
                        futures.add(pool.submit(() -> {
                            start.await();
                            return work(generator, id);
                        }));
                    }
                    for (int i = 0; i < THREADS; i++) {
                        List<int[]> got = futures.get(i).get();
                        assertEquals(sequential.get(i).size(), got.size(), "thread " + i);
                        for (int k = 0; k < got.size(); k++) {
                            assertArrayEquals(sequential.get(i).get(k), got.get(k), "round " + round + ", thread " + i
                                    + ", output " + k);
                        }
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Resident set size in bytes, from the kernel's accounting of this process. */
    static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS line in /proc/self/status");
    }

    static long heapUsedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Runs {@link #CALLS} inference calls after a warm-up in a JVM of its own whose heap is fixed and touched from
     * the start ({@code -Xms = -Xmx}, {@code -XX:+AlwaysPreTouch}): the garbage collector's heap sizing then cannot
     * move the resident set, so what the resident set does is what the calls do. Prints
     * {@code rssBefore rssAfter heapBefore heapAfter logitsBytes} in bytes, each read after forced GCs.
     */
    public static final class MemoryProbe {
        public static void main(String[] args) throws IOException {
            GptModel model = new GptModel(new GptConfig(97, 48, 1, 2, 32, 64, 0f, true, false,
                    PositionalEncodingType.LEARNED, NormPlacement.PRE, Activation.GELU));
            int[] ids = new int[32];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (i * 31) % 97;
            }
            HostTensor input = HostTensor.ofInts(Shape.of(1, ids.length), ids);
            try (TrainingEngine engine = new CpuBackend().open(EngineOptions.defaults().withThreads(2));
                 LoadedWeights w = engine.load(TinyModels.gradientWeights(model.parameterSpecs(), 8))) {
                Ops ops = engine.inferenceOps();
                float first = Float.NaN;
                long rssBefore = 0;
                long heapBefore = 0;
                int warmUp = 3_000;
                for (int call = 0; call < warmUp + CALLS; call++) {
                    if (call == warmUp) {
                        heapBefore = heapUsedAfterGc();
                        rssBefore = residentBytes();
                    }
                    try (Tensor logits = model.logits(ops, w, ops.constant(input))) {
                        float[] v = logits.toFloatArray();
                        if (call == 0) {
                            first = v[v.length - 1];
                        } else if (v[v.length - 1] != first) {
                            throw new IllegalStateException("call " + call + " computed other logits");
                        }
                    }
                }
                long heapAfter = heapUsedAfterGc();
                long rssAfter = residentBytes();
                System.out.println("PROBE " + rssBefore + " " + rssAfter + " " + heapBefore + " " + heapAfter + " "
                        + 4L * 97 * ids.length);
            }
        }
    }

    /**
     * Each call uploads 32 token ids, runs a GPT and reads its logits [1, 32, 97] (12 KB) back. A leak of one logits
     * tensor per call would hold at least 10,000 x 12 KB = 118 MB more; the bound is 32 MB, for the resident set and
     * for the heap after GC (a heap leak would also run the probe's 160 MB heap out of memory).
     */
    @Test
    void tenThousandInferenceCallsKeepMemoryFlat() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc to read the resident set size");
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(javaCommand, "-Xms160m", "-Xmx160m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                MemoryProbe.class.getName()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        String probe = output.lines().filter(l -> l.startsWith("PROBE ")).findFirst().orElseThrow(() ->
                new AssertionError("the probe printed no result:\n" + output));
        long[] v = java.util.Arrays.stream(probe.substring(6).split(" ")).mapToLong(Long::parseLong).toArray();
        long rssGrowth = v[1] - v[0];
        long heapGrowth = v[3] - v[2];
        long leak = CALLS * v[4];
        long bound = 32L << 20;
        System.out.printf("%d inference calls after warm-up: resident set %+.2f MB (from %.1f MB), heap after GC %+.2f MB;"
                + " a leaked logits tensor per call would be %.1f MB%n", CALLS, rssGrowth / 1048576.0, v[0] / 1048576.0,
                heapGrowth / 1048576.0, leak / 1048576.0);
        assertTrue(leak > 3 * bound, "the bound must be well under the leak it is to catch");
        assertTrue(rssGrowth < bound, "resident set grew by " + rssGrowth + " bytes over " + CALLS + " calls");
        assertTrue(heapGrowth < bound, "heap after GC grew by " + heapGrowth + " bytes over " + CALLS + " calls");
    }
}
