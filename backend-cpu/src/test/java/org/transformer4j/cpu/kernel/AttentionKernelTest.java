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

class AttentionKernelTest {

    /** One configuration of the attention arguments. */
    record Case(int b, int tq, int tk, int c, int heads, boolean causal, int[] keyMask) {
        int qSize() {
            return b * tq * c;
        }

        int kSize() {
            return b * tk * c;
        }
    }

    /**
     * Plain double attention; {@code probsOut} (may be null) receives the probabilities [b, heads, tq, tk].
     * A query seeing no key gives a zero output row and zero probabilities.
     */
    static double[] reference(Case cs, double[] q, double[] k, double[] v, double[] probsOut) {
        return reference(cs, q, k, v, probsOut, null);
    }

    /** As above, each probability multiplied by its dropout factor {@code drop [b, heads, tq, tk]} (null: none). */
    static double[] reference(Case cs, double[] q, double[] k, double[] v, double[] probsOut, float[] drop) {
        int hs = cs.c / cs.heads;
        double scale = 1 / Math.sqrt(hs);
        double[] out = new double[cs.qSize()];
        for (int bi = 0; bi < cs.b; bi++) {
            for (int h = 0; h < cs.heads; h++) {
                for (int i = 0; i < cs.tq; i++) {
                    double[] s = new double[cs.tk];
                    boolean[] visible = new boolean[cs.tk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < cs.tk; j++) {
                        boolean causalOk = !cs.causal || j <= cs.tk - cs.tq + i;
                        boolean maskOk = cs.keyMask == null || cs.keyMask[bi * cs.tk + j] != 0;
                        visible[j] = causalOk && maskOk;
                        if (visible[j]) {
                            double dot = 0;
                            for (int d = 0; d < hs; d++) {
                                dot += q[(bi * cs.tq + i) * cs.c + h * hs + d] * k[(bi * cs.tk + j) * cs.c + h * hs + d];
                            }
                            s[j] = dot * scale;
                            max = Math.max(max, s[j]);
                        }
                    }
                    double sum = 0;
                    for (int j = 0; j < cs.tk; j++) {
                        s[j] = visible[j] ? Math.exp(s[j] - max) : 0;
                        sum += s[j];
                    }
                    for (int j = 0; j < cs.tk; j++) {
                        double p = sum == 0 ? 0 : s[j] / sum;
                        int idx = ((bi * cs.heads + h) * cs.tq + i) * cs.tk + j;
                        if (probsOut != null) {
                            probsOut[idx] = p;
                        }
                        if (drop != null) {
                            p *= drop[idx];
                        }
                        for (int d = 0; d < hs; d++) {
                            out[(bi * cs.tq + i) * cs.c + h * hs + d] += p * v[(bi * cs.tk + j) * cs.c + h * hs + d];
                        }
                    }
                }
            }
        }
        return out;
    }

    private static int[] randomMask(Random rnd, int b, int tk) {
        int[] m = new int[b * tk];
        for (int i = 0; i < m.length; i++) {
            m[i] = rnd.nextInt(4) == 0 ? 0 : 1;
        }
        return m;
    }

    @ParameterizedTest(name = "b={0} tq={1} tk={2} c={3} heads={4} causal={5} mask={6}")
    @CsvSource({
        "1, 1, 1, 1, 1, false, false",
        "1, 1, 1, 1, 1, true, false",
        "2, 7, 7, 33, 3, true, false",
        "2, 7, 7, 33, 3, false, true",
        "2, 3, 7, 16, 2, true, true",     // Tq < Tk, direct dot path
        "1, 33, 130, 16, 2, true, true",  // Tq < Tk, transposed path
        "3, 1, 130, 32, 4, true, true",   // one new token against a cache
        "2, 130, 33, 8, 1, false, true",  // Tq > Tk
        "2, 9, 5, 8, 2, true, false",     // Tq > Tk, causal: the first queries see nothing
    })
    void forwardMatchesDoubleReference(int b, int tq, int tk, int c, int heads, boolean causal, boolean masked) {
        Random rnd = new Random(b * 31 + tq * 7 + tk + c + heads);
        Case cs = new Case(b, tq, tk, c, heads, causal, masked ? randomMask(rnd, b, tk) : null);
        float[] q = randomFloats(rnd, cs.qSize(), 1.0);
        float[] k = randomFloats(rnd, cs.kSize(), 1.0);
        float[] v = randomFloats(rnd, cs.kSize(), 1.0);
        float[] out = randomFloats(rnd, cs.qSize(), 1.0); // garbage: the forward overwrites
        float[] probs = randomFloats(rnd, b * heads * tq * tk, 1.0);
        AttentionKernel.forward(Parallelism.sequential(), q, k, v, b, tq, tk, c, heads, causal, cs.keyMask, out, probs);
        double[] refProbs = new double[probs.length];
        double[] expected = reference(cs, toDouble(q), toDouble(k), toDouble(v), refProbs);
        assertClose("attention out", expected, out, 1e-5, 1e-4);
        assertClose("attention probs", refProbs, probs, 1e-6, 1e-4);
    }

    @Test
    void aQueryThatSeesNoKeyOutputsZerosAndGetsNoGradient() {
        // batch 1 pads keys 0 and 1; causal query 0 (position 1) sees only keys 0 and 1, so nothing
        Case cs = new Case(2, 3, 4, 4, 2, true, new int[] {1, 1, 1, 1, 0, 0, 1, 1});
        Random rnd = new Random(11);
        float[] q = randomFloats(rnd, cs.qSize(), 1.0);
        float[] k = randomFloats(rnd, cs.kSize(), 1.0);
        float[] v = randomFloats(rnd, cs.kSize(), 1.0);
        float[] out = new float[cs.qSize()];
        float[] probs = new float[cs.b * cs.heads * cs.tq * cs.tk];
        AttentionKernel.forward(Parallelism.sequential(), q, k, v, cs.b, cs.tq, cs.tk, cs.c, cs.heads, true, cs.keyMask, out, probs);
        int row = (1 * cs.tq + 0) * cs.c;
        for (int d = 0; d < cs.c; d++) {
            assertEquals(0f, out[row + d], "output of the blind query, channel " + d);
        }
        float[] dout = randomFloats(rnd, cs.qSize(), 1.0);
        float[] dq = new float[cs.qSize()];
        AttentionKernel.backward(Parallelism.sequential(), dout, q, k, v, probs, cs.b, cs.tq, cs.tk, cs.c, cs.heads, true,
                cs.keyMask, dq, new float[cs.kSize()], new float[cs.kSize()]);
        for (int d = 0; d < cs.c; d++) {
            assertEquals(0f, dq[row + d], "gradient of the blind query, channel " + d);
        }
        // the next query of that row sees key 2 only: its probability is exactly one
        for (int h = 0; h < cs.heads; h++) {
            int p = ((1 * cs.heads + h) * cs.tq + 1) * cs.tk;
            assertArrayEquals(new float[] {0f, 0f, 1f, 0f}, java.util.Arrays.copyOfRange(probs, p, p + 4));
        }
    }

    /**
     * Backward against central differences (eps 1e-3, double) of the double reference under L = Σ out·r, for
     * q, k and v, on small shapes covering causal, padding, Tq < Tk, a blind query, the one-token decode path
     * and the transposed path. Softmax attention on O(1) inputs is smooth; truncation ~1e-6, float kernel
     * ~1e-6, so 1e-4 absolute + 1e-3 relative. Gradient buffers are pre-filled (+= convention).
     */
    @ParameterizedTest(name = "b={0} tq={1} tk={2} c={3} heads={4} causal={5} mask={6}")
    @CsvSource({
        "2, 3, 4, 4, 2, true, '1,1,1,1,0,0,1,1'",
        "1, 5, 5, 6, 2, true, ''",
        "2, 4, 6, 8, 2, false, '1,0,1,1,1,1,1,1,0,1,1,1'",
        "2, 1, 6, 4, 1, true, '1,1,0,1,1,1,1,1,1,1,1,0'",
        "1, 9, 9, 9, 1, true, ''",
    })
    void backwardMatchesFiniteDifferencesAndAccumulates(int b, int tq, int tk, int c, int heads, boolean causal, String mask) {
        int[] keyMask = mask.isEmpty() ? null : java.util.Arrays.stream(mask.split(",")).mapToInt(Integer::parseInt).toArray();
        Case cs = new Case(b, tq, tk, c, heads, causal, keyMask);
        Random rnd = new Random(tq * 100 + tk * 10 + c);
        float[] q = randomFloats(rnd, cs.qSize(), 1.0);
        float[] k = randomFloats(rnd, cs.kSize(), 1.0);
        float[] v = randomFloats(rnd, cs.kSize(), 1.0);
        float[] r = randomFloats(rnd, cs.qSize(), 1.0);
        double[] qd = toDouble(q);
        double[] kd = toDouble(k);
        double[] vd = toDouble(v);
        double[] rd = toDouble(r);
        double[] fdQ = numericGradient(qd, 1e-3, x -> KernelTestSupport.dot(reference(cs, x, kd, vd, null), rd));
        double[] fdK = numericGradient(kd, 1e-3, x -> KernelTestSupport.dot(reference(cs, qd, x, vd, null), rd));
        double[] fdV = numericGradient(vd, 1e-3, x -> KernelTestSupport.dot(reference(cs, qd, kd, x, null), rd));

        float[] out = new float[cs.qSize()];
        float[] probs = new float[b * heads * tq * tk];
        AttentionKernel.forward(Parallelism.sequential(), q, k, v, b, tq, tk, c, heads, causal, keyMask, out, probs);
        float[] dqPre = randomFloats(rnd, cs.qSize(), 1.0);
        float[] dkPre = randomFloats(rnd, cs.kSize(), 1.0);
        float[] dvPre = randomFloats(rnd, cs.kSize(), 1.0);
        float[] dq = dqPre.clone();
        float[] dk = dkPre.clone();
        float[] dv = dvPre.clone();
        AttentionKernel.backward(Parallelism.sequential(), r, q, k, v, probs, b, tq, tk, c, heads, causal, keyMask, dq, dk, dv);
        assertClose("dq", plus(dqPre, fdQ), dq, 1e-4, 1e-3);
        assertClose("dk", plus(dkPre, fdK), dk, 1e-4, 1e-3);
        assertClose("dv", plus(dvPre, fdV), dv, 1e-4, 1e-3);
    }

    /** Dropout factors as attention dropout uses them: 0 with probability p, else 1/(1-p). */
    private static float[] randomDropFactors(Random rnd, int n, float p) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = rnd.nextFloat() < p ? 0f : 1f / (1f - p);
        }
        return d;
    }

    @ParameterizedTest(name = "b={0} tq={1} tk={2} c={3} heads={4} causal={5} mask={6}")
    @CsvSource({
        "2, 7, 7, 33, 3, true, false",
        "2, 3, 7, 16, 2, true, true",
        "1, 33, 130, 16, 2, true, true",
        "2, 9, 5, 8, 2, true, false",
    })
    void forwardWithDropoutMatchesDoubleReference(int b, int tq, int tk, int c, int heads, boolean causal, boolean masked) {
        Random rnd = new Random(7 * b + tq + 3 * tk + c);
        Case cs = new Case(b, tq, tk, c, heads, causal, masked ? randomMask(rnd, b, tk) : null);
        float[] q = randomFloats(rnd, cs.qSize(), 1.0);
        float[] k = randomFloats(rnd, cs.kSize(), 1.0);
        float[] v = randomFloats(rnd, cs.kSize(), 1.0);
        float[] drop = randomDropFactors(rnd, b * heads * tq * tk, 0.3f);
        float[] out = new float[cs.qSize()];
        float[] probs = new float[drop.length];
        AttentionKernel.forward(Parallelism.sequential(), q, k, v, b, tq, tk, c, heads, causal, cs.keyMask, out, probs, DropoutFactors.of(drop));
        double[] refProbs = new double[probs.length];
        double[] expected = reference(cs, toDouble(q), toDouble(k), toDouble(v), refProbs, drop);
        assertClose("attention out with dropout", expected, out, 1e-5, 1e-4);
        assertClose("saved probabilities (undropped)", refProbs, probs, 1e-6, 1e-4);
    }

    /** The backward with dropout factors against central differences of the double reference with the same factors. */
    @ParameterizedTest(name = "b={0} tq={1} tk={2} c={3} heads={4} causal={5} mask={6}")
    @CsvSource({
        "2, 3, 4, 4, 2, true, '1,1,1,1,0,0,1,1'",
        "1, 5, 5, 6, 2, true, ''",
        "2, 4, 6, 8, 2, false, '1,0,1,1,1,1,1,1,0,1,1,1'",
        "1, 9, 9, 9, 1, true, ''",
    })
    void backwardWithDropoutMatchesFiniteDifferences(int b, int tq, int tk, int c, int heads, boolean causal, String mask) {
        int[] keyMask = mask.isEmpty() ? null : java.util.Arrays.stream(mask.split(",")).mapToInt(Integer::parseInt).toArray();
        Case cs = new Case(b, tq, tk, c, heads, causal, keyMask);
        Random rnd = new Random(tq * 101 + tk * 11 + c);
        float[] q = randomFloats(rnd, cs.qSize(), 1.0);
        float[] k = randomFloats(rnd, cs.kSize(), 1.0);
        float[] v = randomFloats(rnd, cs.kSize(), 1.0);
        float[] r = randomFloats(rnd, cs.qSize(), 1.0);
        float[] drop = randomDropFactors(rnd, b * heads * tq * tk, 0.25f);
        double[] qd = toDouble(q);
        double[] kd = toDouble(k);
        double[] vd = toDouble(v);
        double[] rd = toDouble(r);
        double[] fdQ = numericGradient(qd, 1e-3, x -> KernelTestSupport.dot(reference(cs, x, kd, vd, null, drop), rd));
        double[] fdK = numericGradient(kd, 1e-3, x -> KernelTestSupport.dot(reference(cs, qd, x, vd, null, drop), rd));
        double[] fdV = numericGradient(vd, 1e-3, x -> KernelTestSupport.dot(reference(cs, qd, kd, x, null, drop), rd));

        float[] out = new float[cs.qSize()];
        float[] probs = new float[drop.length];
        AttentionKernel.forward(Parallelism.sequential(), q, k, v, b, tq, tk, c, heads, causal, keyMask, out, probs, DropoutFactors.of(drop));
        float[] dq = new float[cs.qSize()];
        float[] dk = new float[cs.kSize()];
        float[] dv = new float[cs.kSize()];
        AttentionKernel.backward(Parallelism.sequential(), r, q, k, v, probs, b, tq, tk, c, heads, causal, keyMask, dq, dk, dv,
                DropoutFactors.of(drop));
        assertClose("dq", fdQ, dq, 1e-4, 1e-3);
        assertClose("dk", fdK, dk, 1e-4, 1e-3);
        assertClose("dv", fdV, dv, 1e-4, 1e-3);
    }

    /**
     * Factors that keep everything (all 1) take the dropout code path and must give bit for bit what the path without
     * dropout gives: the dropout multiplies by exactly 1 and changes no summation order.
     */
    @Test
    void allOnesFactorsAreBitIdenticalToNoDropout() {
        int b = 2;
        int tq = 9;
        int tk = 13;
        int c = 24;
        int heads = 3;
        Random rnd = new Random(41);
        int[] mask = randomMask(rnd, b, tk);
        float[] q = randomFloats(rnd, b * tq * c, 1.0);
        float[] k = randomFloats(rnd, b * tk * c, 1.0);
        float[] v = randomFloats(rnd, b * tk * c, 1.0);
        float[] dout = randomFloats(rnd, b * tq * c, 1.0);
        float[] ones = new float[b * heads * tq * tk];
        java.util.Arrays.fill(ones, 1f);
        float[][] res = new float[2][];
        for (int run = 0; run < 2; run++) {
            DropoutFactors drop = run == 0 ? null : DropoutFactors.of(ones);
            float[] out = new float[b * tq * c];
            float[] probs = new float[ones.length];
            AttentionKernel.forward(Parallelism.sequential(), q, k, v, b, tq, tk, c, heads, true, mask, out, probs, drop);
            float[] dq = new float[b * tq * c];
            float[] dk = new float[b * tk * c];
            float[] dv = new float[b * tk * c];
            AttentionKernel.backward(Parallelism.sequential(), dout, q, k, v, probs, b, tq, tk, c, heads, true, mask,
                    dq, dk, dv, drop);
            res[run] = concat(out, probs, dq, dk, dv);
        }
        assertArrayEquals(res[0], res[1], "all-ones dropout factors vs no dropout");
    }

    /**
     * A seeded mask seen through the kernel: with q = 0 every visible key gets probability 1/tk, and one-hot values
     * ({@code v_j} = e_j in each head) make {@code out_i = (P_i1 D_i1, ..., P_itk D_itk)}, so the output shows each
     * weight's factor. Each must be 0 or 1/(1-p), and the kept fraction must be 1-p within 6 binomial sigmas.
     */
    @ParameterizedTest
    @CsvSource({"0.1", "0.5"})
    void seededDropoutKeepsAFractionOneMinusP(float p) {
        int b = 16;
        int tq = 64;
        int tk = 64;
        int heads = 2;
        int c = heads * tk;
        float[] q = new float[b * tq * c];
        float[] k = randomFloats(new Random(3), b * tk * c, 1.0);
        float[] v = new float[b * tk * c];
        for (int bi = 0; bi < b; bi++) {
            for (int j = 0; j < tk; j++) {
                for (int h = 0; h < heads; h++) {
                    v[(bi * tk + j) * c + h * tk + j] = 1f;
                }
            }
        }
        float[] out = new float[q.length];
        AttentionKernel.forward(Parallelism.sequential(), q, k, v, b, tq, tk, c, heads, false, null, out,
                new float[b * heads * tq * tk], DropoutFactors.seeded(12345L, p));
        long kept = 0;
        for (int i = 0; i < out.length; i++) {
            if (out[i] != 0f) { // out = P·D with P = 1/tk
                kept++;
                assertEquals(1.0 / (1.0 - p), out[i] * (double) tk, 1e-5, "kept weight " + i + " must be scaled by 1/(1-p)");
            }
        }
        long n = out.length;
        double sigma = Math.sqrt(p * (1 - p) / n);
        assertEquals(1 - p, (double) kept / n, 6 * sigma, "kept fraction of " + n + " attention weights");
    }

    private static float[] concat(float[]... arrays) {
        int n = 0;
        for (float[] a : arrays) {
            n += a.length;
        }
        float[] all = new float[n];
        int o = 0;
        for (float[] a : arrays) {
            System.arraycopy(a, 0, all, o, a.length);
            o += a.length;
        }
        return all;
    }

    /** Small cases run on the calling thread (too little work to split); 70 x 70 x 32 per pair is split. */
    @ParameterizedTest(name = "tq={0} tk={1} c={2}")
    @CsvSource({"1, 12, 16", "9, 12, 16", "70, 70, 64"})
    void oneAndTwoThreadsGiveIdenticalResults(int tq, int tk, int c) {
        for (DropoutFactors drop : new DropoutFactors[] {null, DropoutFactors.seeded(99L, 0.3f)}) {
            String what = "tq=" + tq + (drop == null ? "" : ", with attention dropout");
            assertArrayEquals(runOnThreads(1, tq, tk, c, drop), runOnThreads(2, tq, tk, c, drop), what);
        }
    }

    /** Forward and backward of a fixed case on {@code threads} threads: out, probs, dq, dk, dv concatenated. */
    private static float[] runOnThreads(int threads, int tq, int tk, int c, DropoutFactors drop) {
        int b = 3;
        int heads = 2;
        Random rnd = new Random(tq);
        int[] mask = randomMask(rnd, b, tk);
        float[] q = randomFloats(rnd, b * tq * c, 1.0);
        float[] k = randomFloats(rnd, b * tk * c, 1.0);
        float[] v = randomFloats(rnd, b * tk * c, 1.0);
        float[] dout = randomFloats(rnd, b * tq * c, 1.0);
        try (Parallelism par = Parallelism.of(threads)) {
            float[] out = new float[b * tq * c];
            float[] probs = new float[b * heads * tq * tk];
            AttentionKernel.forward(par, q, k, v, b, tq, tk, c, heads, true, mask, out, probs, drop);
            float[] dq = new float[b * tq * c];
            float[] dk = new float[b * tk * c];
            float[] dv = new float[b * tk * c];
            AttentionKernel.backward(par, dout, q, k, v, probs, b, tq, tk, c, heads, true, mask, dq, dk, dv, drop);
            return concat(out, probs, dq, dk, dv);
        }
    }

    /**
     * The overwrite form of the backward sets dq, dk and dv without reading them (NaN there must not survive) and
     * gives the bits of adding into zeros, also for grouped-query attention, where each key/value head's gradient is
     * the sum over its group's query heads, and with dropout; on one and two threads.
     */
    @ParameterizedTest(name = "heads={0} kvHeads={1} dropout={2}")
    @CsvSource({"4, 4, false", "4, 2, false", "4, 1, true", "2, 2, true"})
    void overwritingBackwardSetsTheGradientsWithoutReadingThem(int heads, int kvHeads, boolean dropout) {
        int b = 3, tq = 9, tk = 9, c = 16;
        int kc = c / heads * kvHeads;
        Random rnd = new Random(heads * 10 + kvHeads);
        int[] mask = randomMask(rnd, b, tk);
        float[] q = randomFloats(rnd, b * tq * c, 1.0);
        float[] k = randomFloats(rnd, b * tk * kc, 1.0);
        float[] v = randomFloats(rnd, b * tk * kc, 1.0);
        float[] dout = randomFloats(rnd, b * tq * c, 1.0);
        DropoutFactors drop = dropout ? DropoutFactors.seeded(5L, 0.25f) : null;
        for (int threads : new int[] {1, 2}) {
            try (Parallelism par = Parallelism.of(threads)) {
                float[] out = new float[b * tq * c];
                float[] probs = new float[b * heads * tq * tk];
                AttentionKernel.forward(par, q, k, v, b, tq, tk, c, heads, kvHeads, true, mask, out, probs, drop);
                float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
                AttentionKernel.backward(par, dout, q, k, v, probs, b, tq, tk, c, heads, kvHeads, true, mask, dq, dk, dv,
                        drop, false);
                float[] sq = nans(q.length), sk = nans(k.length), sv = nans(v.length);
                AttentionKernel.backward(par, dout, q, k, v, probs, b, tq, tk, c, heads, kvHeads, true, mask, sq, sk, sv,
                        drop, true);
                String what = heads + "/" + kvHeads + " heads on " + threads + " thread(s)";
                assertArrayEquals(dq, sq, 0f, "dq, " + what);
                assertArrayEquals(dk, sk, 0f, "dk, " + what);
                assertArrayEquals(dv, sv, 0f, "dv, " + what);
            }
        }
    }

    @Test
    void overwritingOneArrayAsTwoGradientsIsRejected() {
        float[] x = new float[2 * 4];
        float[] probs = new float[2 * 2 * 2];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttentionKernel.backward(
                Parallelism.sequential(), x, x, x, x, probs, 1, 2, 2, 4, 2, 2, true, null, new float[8], x, x, null,
                true));
        assertTrue(e.getMessage().contains("distinct"), e.getMessage());
    }

    private static float[] nans(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }

    @Test
    void headsThatDoNotDivideChannelsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttentionKernel.forward(
                Parallelism.sequential(), new float[6], new float[6], new float[6], 1, 1, 1, 6, 4, false, null,
                new float[6], new float[4]));
        assertTrue(e.getMessage().contains("heads (4)"), e.getMessage());
    }
}
