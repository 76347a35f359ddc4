package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.cpu.kernel.KernelTestSupport.assertClose;
import static org.transformer4j.cpu.kernel.KernelTestSupport.randomFloats;
import static org.transformer4j.cpu.kernel.KernelTestSupport.toDouble;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AdamWKernelTest {

    /** The AdamWStep formula, written out in double. */
    static void referenceStep(double[] p, double[] g, double[] m, double[] v, double lr, double b1, double b2, double eps,
                              double wd, double gradScale, long t) {
        for (int i = 0; i < p.length; i++) {
            double gi = gradScale * g[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            double mhat = m[i] / (1 - Math.pow(b1, t));
            double vhat = v[i] / (1 - Math.pow(b2, t));
            p[i] -= lr * (mhat / (Math.sqrt(vhat) + eps) + wd * p[i]);
        }
    }

    /**
     * Five steps against the double formula, a new gradient each step. Float state drifts from the double one
     * only by rounding (~1e-7 relative per step), so 1e-6 absolute + 1e-5 relative.
     */
    @ParameterizedTest(name = "n={0} wd={1} gradScale={2}")
    @CsvSource({"1, 0, 1", "7, 0.1, 1", "33, 0.1, 0.25", "130, 0, 0.5"})
    void severalStepsMatchTheFormula(int n, float wd, float gradScale) {
        Random rnd = new Random(n);
        float lr = 0.01f;
        float b1 = 0.9f;
        float b2 = 0.95f;
        float eps = 1e-8f;
        float[] p = randomFloats(rnd, n, 1.0);
        float[] m = new float[n];
        float[] v = new float[n];
        double[] pd = toDouble(p);
        double[] md = new double[n];
        double[] vd = new double[n];
        for (long t = 1; t <= 5; t++) {
            float[] g = randomFloats(rnd, n, 0.5);
            AdamWKernel.update(Parallelism.sequential(), List.of(new AdamWKernel.Slot(p, g, m, v, wd)), lr, b1, b2, eps,
                    gradScale, t);
            referenceStep(pd, toDouble(g), md, vd, lr, b1, b2, eps, wd, gradScale, t);
            assertClose("param step " + t, pd, p, 1e-6, 1e-5);
            assertClose("m step " + t, md, m, 1e-7, 1e-5);
            assertClose("v step " + t, vd, v, 1e-8, 1e-5);
        }
    }

    /**
     * One call over several arrays (lengths that put array boundaries inside the threads' chunks, some decayed, some
     * not) updates each as the formula says, and 1 and 2 threads give the same bits.
     */
    @Test
    void severalArraysInOneCallMatchTheFormulaAtAnyThreadCount() {
        int[] lengths = {70_001, 5, 65_536, 1, 40_000};
        float[] decays = {0.01f, 0f, 0.1f, 0f, 0.01f};
        Random rnd = new Random(4);
        float[][] p0 = new float[lengths.length][];
        float[][] g = new float[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            p0[i] = randomFloats(rnd, lengths[i], 1.0);
            g[i] = randomFloats(rnd, lengths[i], 1.0);
        }
        float[][][] res = new float[2][][];
        try (Parallelism two = Parallelism.of(2)) {
            Parallelism[] pars = {Parallelism.sequential(), two};
            for (int k = 0; k < 2; k++) {
                res[k] = new float[lengths.length][];
                List<AdamWKernel.Slot> slots = new ArrayList<>();
                for (int i = 0; i < lengths.length; i++) {
                    res[k][i] = p0[i].clone();
                    slots.add(new AdamWKernel.Slot(res[k][i], g[i], new float[lengths[i]], new float[lengths[i]],
                            decays[i]));
                }
                AdamWKernel.update(pars[k], slots, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.5f, 1);
                AdamWKernel.update(pars[k], slots, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.5f, 2);
            }
        }
        for (int i = 0; i < lengths.length; i++) {
            assertArrayEquals(res[0][i], res[1][i], "array " + i + ": 1 and 2 threads");
            double[] pd = toDouble(p0[i]);
            double[] md = new double[lengths[i]];
            double[] vd = new double[lengths[i]];
            for (long t = 1; t <= 2; t++) {
                referenceStep(pd, toDouble(g[i]), md, vd, 1e-3, 0.9, 0.999, 1e-8, decays[i], 0.5, t);
            }
            assertClose("array " + i, pd, res[0][i], 1e-6, 1e-5);
        }
    }

    @Test
    void stepZeroIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> AdamWKernel.update(Parallelism.sequential(),
                List.of(new AdamWKernel.Slot(new float[1], new float[1], new float[1], new float[1], 0f)), 1e-3f, 0.9f,
                0.999f, 1e-8f, 1f, 0));
    }

    @Test
    void aShortGradientIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdamWKernel.Slot(new float[4], new float[3], new float[4], new float[4], 0f));
        assertTrue(e.getMessage().contains("grad"), e.getMessage());
    }
}
