package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.transformer4j.cpu.kernel.KernelTestSupport.assertClose;
import static org.transformer4j.cpu.kernel.KernelTestSupport.randomFloats;
import static org.transformer4j.cpu.kernel.KernelTestSupport.toDouble;

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
            AdamWKernel.update(Parallelism.sequential(), p, g, m, v, n, lr, b1, b2, eps, wd, gradScale, t);
            referenceStep(pd, toDouble(g), md, vd, lr, b1, b2, eps, wd, gradScale, t);
            assertClose("param step " + t, pd, p, 1e-6, 1e-5);
            assertClose("m step " + t, md, m, 1e-7, 1e-5);
            assertClose("v step " + t, vd, v, 1e-8, 1e-5);
        }
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalResults() {
        int n = 70_001;
        Random rnd = new Random(4);
        float[] p0 = randomFloats(rnd, n, 1.0);
        float[] g = randomFloats(rnd, n, 1.0);
        float[][] res = new float[2][];
        try (Parallelism two = Parallelism.of(2)) {
            Parallelism[] pars = {Parallelism.sequential(), two};
            for (int k = 0; k < 2; k++) {
                float[] p = p0.clone();
                float[] m = new float[n];
                float[] v = new float[n];
                AdamWKernel.update(pars[k], p, g, m, v, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 0.5f, 1);
                AdamWKernel.update(pars[k], p, g, m, v, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 0.5f, 2);
                res[k] = p;
            }
        }
        assertArrayEquals(res[0], res[1]);
    }

    @Test
    void stepZeroIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> AdamWKernel.update(Parallelism.sequential(), new float[1],
                new float[1], new float[1], new float[1], 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1f, 0));
    }
}
