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

class EmbeddingKernelTest {

    static double[] reference(double[] table, int c, int[] ids) {
        double[] out = new double[ids.length * c];
        for (int p = 0; p < ids.length; p++) {
            for (int j = 0; j < c; j++) {
                out[p * c + j] = table[ids[p] * c + j];
            }
        }
        return out;
    }

    @ParameterizedTest(name = "vocab={0} c={1} n={2}")
    @CsvSource({"1, 1, 1", "7, 33, 7", "33, 7, 130", "130, 130, 33"})
    void forwardCopiesTheRows(int vocab, int c, int n) {
        Random rnd = new Random(vocab + c + n);
        float[] table = randomFloats(rnd, vocab * c, 1.0);
        int[] ids = rnd.ints(n, 0, vocab).toArray();
        float[] out = new float[n * c];
        EmbeddingKernel.forward(Parallelism.sequential(), table, vocab, c, ids, n, out);
        assertClose("embedding", reference(toDouble(table), c, ids), out, 0, 0);
    }

    /**
     * Backward against central differences (eps 1e-2, double) of the reference under L = Σ out·r. The lookup
     * is linear in the table, so the quotient is exact up to rounding: 1e-6 absolute + 1e-5 relative.
     * Repeated ids must accumulate; dtable is pre-filled (+= convention).
     */
    @Test
    void backwardMatchesFiniteDifferencesWithRepeatedIds() {
        int vocab = 5;
        int c = 3;
        int[] ids = {4, 0, 4, 2, 4, 0, 1};
        Random rnd = new Random(1);
        float[] table = randomFloats(rnd, vocab * c, 1.0);
        float[] r = randomFloats(rnd, ids.length * c, 1.0);
        double[] rd = toDouble(r);
        double[] fd = numericGradient(toDouble(table), 1e-2, t -> KernelTestSupport.dot(reference(t, c, ids), rd));
        float[] pre = randomFloats(rnd, vocab * c, 1.0);
        float[] d = pre.clone();
        EmbeddingKernel.backward(Parallelism.sequential(), r, ids, ids.length, c, d);
        assertClose("dtable", plus(pre, fd), d, 1e-6, 1e-5);
        for (int j = 0; j < c; j++) {
            assertEquals(pre[3 * c + j], d[3 * c + j], "row 3 is never looked up");
        }
    }

    @Test
    void idOutsideVocabularyIsRejectedWithIdPositionAndVocab() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmbeddingKernel.forward(
                Parallelism.sequential(), new float[8], 4, 2, new int[] {1, 3, 4}, 3, new float[6]));
        assertTrue(e.getMessage().contains("id 4") && e.getMessage().contains("position 2") && e.getMessage().contains("[0, 4)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EmbeddingKernel.forward(
                Parallelism.sequential(), new float[8], 4, 2, new int[] {-1}, 1, new float[2]));
        assertThrows(IllegalArgumentException.class, () -> EmbeddingKernel.backward(
                Parallelism.sequential(), new float[2], new int[] {4}, 1, 2, new float[8]));
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalResults() {
        int vocab = 50;
        int c = 130;
        int n = 300;
        Random rnd = new Random(2);
        float[] table = randomFloats(rnd, vocab * c, 1.0);
        int[] ids = rnd.ints(n, 0, vocab).toArray();
        float[] dout = randomFloats(rnd, n * c, 1.0);
        try (Parallelism two = Parallelism.of(2)) {
            float[] o1 = new float[n * c];
            float[] o2 = new float[n * c];
            EmbeddingKernel.forward(Parallelism.sequential(), table, vocab, c, ids, n, o1);
            EmbeddingKernel.forward(two, table, vocab, c, ids, n, o2);
            assertArrayEquals(o1, o2);
            float[] d1 = new float[vocab * c];
            float[] d2 = new float[vocab * c];
            EmbeddingKernel.backward(Parallelism.sequential(), dout, ids, n, c, d1);
            EmbeddingKernel.backward(two, dout, ids, n, c, d2);
            assertArrayEquals(d1, d2);
        }
    }
}
