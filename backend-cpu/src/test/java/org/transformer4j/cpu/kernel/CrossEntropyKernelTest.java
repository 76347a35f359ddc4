package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.cpu.kernel.KernelTestSupport.assertClose;
import static org.transformer4j.cpu.kernel.KernelTestSupport.numericGradient;
import static org.transformer4j.cpu.kernel.KernelTestSupport.plus;
import static org.transformer4j.cpu.kernel.KernelTestSupport.randomFloats;
import static org.transformer4j.cpu.kernel.KernelTestSupport.toDouble;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CrossEntropyKernelTest {
    private static final int IGNORE = -100;

    /** Plain double mean cross-entropy over rows whose target is not ignored (0 when none is counted). */
    static double reference(double[] logits, int[] targets, int n, int vocab, int ignore) {
        double total = 0;
        int count = 0;
        for (int r = 0; r < n; r++) {
            if (targets[r] == ignore) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) {
                max = Math.max(max, logits[r * vocab + j]);
            }
            double sum = 0;
            for (int j = 0; j < vocab; j++) {
                sum += Math.exp(logits[r * vocab + j] - max);
            }
            total += max + Math.log(sum) - logits[r * vocab + targets[r]];
            count++;
        }
        return count == 0 ? 0 : total / count;
    }

    private static int[] targets(Random rnd, int n, int vocab, boolean withIgnored) {
        int[] t = new int[n];
        for (int r = 0; r < n; r++) {
            t[r] = withIgnored && r % 3 == 1 ? IGNORE : rnd.nextInt(vocab);
        }
        return t;
    }

    @ParameterizedTest(name = "n={0} vocab={1} ignored={2} offset={3}")
    @CsvSource({
        "1, 1, false, 0",
        "1, 7, false, 0",
        "7, 33, true, 0",
        "33, 130, true, 0",
        "130, 7, true, 0",
        "7, 1000, true, 60",   // large logits: the max must be subtracted
    })
    void forwardMatchesDoubleReference(int n, int vocab, boolean ignored, float offset) {
        Random rnd = new Random(n * 13 + vocab);
        float[] logits = randomFloats(rnd, n * vocab, 3.0);
        for (int i = 0; i < logits.length; i++) {
            logits[i] += offset;
        }
        int[] t = targets(rnd, n, vocab, ignored);
        float loss = CrossEntropyKernel.forward(Parallelism.sequential(), logits, t, n, vocab, IGNORE);
        double expected = reference(toDouble(logits), t, n, vocab, IGNORE);
        assertEquals(expected, loss, 1e-5 + 1e-5 * Math.abs(expected));
        int counted = 0;
        for (int r = 0; r < n; r++) {
            counted += t[r] == IGNORE ? 0 : 1;
        }
        assertEquals(counted, CrossEntropyKernel.count(t, n, IGNORE));
    }

    @Test
    void uniformLogitsGiveLogVocab() {
        int vocab = 50;
        float[] logits = new float[3 * vocab];
        assertEquals(Math.log(vocab), CrossEntropyKernel.forward(Parallelism.sequential(), logits, new int[] {0, 7, 49}, 3, vocab, IGNORE), 1e-6);
    }

    /**
     * Backward against central differences (eps 1e-3, double) of dloss·reference; the softmax is smooth and
     * the inputs O(1), so 1e-5 absolute + 1e-3 relative. dlogits is pre-filled (+= convention); ignored rows
     * must come back unchanged.
     */
    @ParameterizedTest(name = "n={0} vocab={1}")
    @CsvSource({"1, 7", "5, 7", "4, 33"})
    void backwardMatchesFiniteDifferencesAndAccumulates(int n, int vocab) {
        Random rnd = new Random(n + vocab);
        float[] logits = randomFloats(rnd, n * vocab, 2.0);
        int[] t = targets(rnd, n, vocab, n > 1);
        float dloss = 0.7f;
        double[] fd = numericGradient(toDouble(logits), 1e-3, x -> dloss * reference(x, t, n, vocab, IGNORE));
        float[] pre = randomFloats(rnd, n * vocab, 1.0);
        float[] d = pre.clone();
        CrossEntropyKernel.backward(Parallelism.sequential(), logits, t, n, vocab, IGNORE, dloss, d);
        assertClose("dlogits", plus(pre, fd), d, 1e-5, 1e-3);
        for (int r = 0; r < n; r++) {
            if (t[r] == IGNORE) {
                for (int j = 0; j < vocab; j++) {
                    assertEquals(pre[r * vocab + j], d[r * vocab + j], "ignored row " + r + " must get no gradient");
                }
            }
        }
    }

    @Test
    void allRowsIgnoredGivesZeroLossAndNoGradient() {
        float[] logits = {1f, 2f, 3f, 4f};
        int[] t = {IGNORE, IGNORE};
        assertEquals(0f, CrossEntropyKernel.forward(Parallelism.sequential(), logits, t, 2, 2, IGNORE));
        float[] d = {5f, 5f, 5f, 5f};
        CrossEntropyKernel.backward(Parallelism.sequential(), logits, t, 2, 2, IGNORE, 1f, d);
        assertArrayEquals(new float[] {5f, 5f, 5f, 5f}, d);
    }

    @Test
    void targetOutsideVocabularyIsRejectedWithRowAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrossEntropyKernel.forward(Parallelism.sequential(), new float[6], new int[] {0, 3}, 2, 3, IGNORE));
        assertTrue(e.getMessage().contains("target 3") && e.getMessage().contains("row 1") && e.getMessage().contains("[0, 3)"),
                e.getMessage());
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalResults() {
        int n = 33;
        int vocab = 1000;
        Random rnd = new Random(9);
        float[] logits = randomFloats(rnd, n * vocab, 2.0);
        int[] t = targets(rnd, n, vocab, true);
        try (Parallelism two = Parallelism.of(2)) {
            float l1 = CrossEntropyKernel.forward(Parallelism.sequential(), logits, t, n, vocab, IGNORE);
            float l2 = CrossEntropyKernel.forward(two, logits, t, n, vocab, IGNORE);
            assertEquals(l1, l2);
            float[] d1 = new float[n * vocab];
            float[] d2 = new float[n * vocab];
            CrossEntropyKernel.backward(Parallelism.sequential(), logits, t, n, vocab, IGNORE, 1f, d1);
            CrossEntropyKernel.backward(two, logits, t, n, vocab, IGNORE, 1f, d2);
            assertArrayEquals(d1, d2);
        }
    }
}
