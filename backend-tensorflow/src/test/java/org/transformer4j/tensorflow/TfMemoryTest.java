package org.transformer4j.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
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
 * Many inference calls on the tensorflow backend leave resident memory flat: every native tensor an op creates is
 * closed within the call (the model never closes its intermediate tensors, so this is the backend's job).
 */
class TfMemoryTest {
    static final int CALLS = Integer.getInteger("calls", 10_000);
    static final int WARM_UP = 500;
    static final int VOCAB = 512;
    static final int T = 64;

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
     * Runs {@link #CALLS} GPT forward passes after a warm-up in a JVM of its own with a fixed, pre-touched heap (so the
     * collector's sizing cannot move the resident set). Prints {@code rssBefore rssAfter heapBefore heapAfter
     * logitsBytes}.
     */
    public static final class MemoryProbe {
        public static void main(String[] args) throws IOException {
            GptModel model = new GptModel(new GptConfig(VOCAB, T, 1, 2, 32, 64, 0f, true, false,
                    PositionalEncodingType.LEARNED, NormPlacement.PRE, Activation.GELU));
            int[] ids = new int[T];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (i * 31) % VOCAB;
            }
            HostTensor input = HostTensor.ofInts(Shape.of(1, T), ids);
            try (TrainingEngine engine = new TensorFlowBackend().open(EngineOptions.defaults().withThreads(2));
                 LoadedWeights w = engine.load(TinyModels.gradientWeights(model.parameterSpecs(), 8))) {
                Ops ops = engine.inferenceOps();
                float first = Float.NaN;
                long rssBefore = 0;
                long heapBefore = 0;
                for (int call = 0; call < WARM_UP + CALLS; call++) {
                    if (call == WARM_UP) {
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
                        + 4L * VOCAB * T);
            }
        }
    }

    /**
     * Each call uploads 64 token ids, runs a one-block GPT (about 20 op graphs) and reads its logits [1, 64, 512]
     * (128 KB) back. A leaked logits-sized tensor per call would hold 1,000 x 128 KB = 125 MB more; the bound is 32 MB
     * (the resident set settles by about 10 to 15 MB over the first few thousand calls, whatever their number: the
     * native allocator, not a leak).
     */
    @Test
    void inferenceCallsKeepResidentMemoryFlat() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc to read the resident set size");
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(javaCommand, "-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
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
        System.out.printf("%d tensorflow inference calls after warm-up: resident set %+.2f MB (from %.1f MB), heap after"
                + " GC %+.2f MB; a leaked logits tensor per call would be %.1f MB%n", CALLS, rssGrowth / 1048576.0,
                v[0] / 1048576.0, heapGrowth / 1048576.0, leak / 1048576.0);
        assertTrue(leak > 3 * bound, "the bound must be well under the leak it is to catch");
        assertTrue(rssGrowth < bound, "resident set grew by " + rssGrowth + " bytes over " + CALLS + " calls");
        assertTrue(heapGrowth < bound, "heap after GC grew by " + heapGrowth + " bytes over " + CALLS + " calls");
    }
}
