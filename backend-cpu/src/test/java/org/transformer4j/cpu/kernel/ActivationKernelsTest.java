package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.transformer4j.cpu.kernel.KernelTestSupport.assertClose;
import static org.transformer4j.cpu.kernel.KernelTestSupport.numericGradient;
import static org.transformer4j.cpu.kernel.KernelTestSupport.plus;
import static org.transformer4j.cpu.kernel.KernelTestSupport.randomFloats;
import static org.transformer4j.cpu.kernel.KernelTestSupport.toDouble;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ActivationKernelsTest {
    private static final double SQRT_PI = Math.sqrt(Math.PI);

    // ---- double-precision reference: erf by Taylor series below 2.5, erfc by continued fraction above ----

    /** erfc(x) for x >= 2.5 by the continued fraction e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))). */
    private static double erfcLarge(double x) {
        double f = x;
        for (int k = 200; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / (SQRT_PI * f);
    }

    /** erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)) for |x| < 2.5. */
    private static double erfSeries(double x) {
        double term = x; // (-1)^n x^(2n+1) / n!
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x * x / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-18 * Math.abs(sum)) {
                break;
            }
        }
        return 2 / SQRT_PI * sum;
    }

    static double erfRef(double x) {
        double a = Math.abs(x);
        double r = a < 2.5 ? erfSeries(a) : 1 - erfcLarge(a);
        return x < 0 ? -r : r;
    }

    /** erfc(x) accurate relative to its value for large x. */
    static double erfcRef(double x) {
        return x >= 2.5 ? erfcLarge(x) : 1 - erfRef(x);
    }

    /** Φ(x) = ½ erfc(-x/√2). */
    static double normalCdfRef(double x) {
        return 0.5 * erfcRef(-x / Math.sqrt(2));
    }

    static double geluRef(double x) {
        return x * normalCdfRef(x);
    }

    static double geluGradRef(double x) {
        return normalCdfRef(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }

    @Test
    void referenceErfMatchesPublishedValues() {
        // Abramowitz & Stegun table 7.1 / standard values
        assertEquals(0.5204998778130465, erfRef(0.5), 1e-15);
        assertEquals(0.8427007929497149, erfRef(1.0), 1e-15);
        assertEquals(0.9953222650189527, erfRef(2.0), 1e-15);
        assertEquals(0.9999779095030014, erfRef(3.0), 1e-15);
        assertEquals(2.209049699858544e-05, erfcRef(3.0), 1e-19);
        assertEquals(1.5374597944280349e-12, erfcRef(5.0), 1e-25);
        // both branches agree where they meet
        assertEquals(erfSeries(2.5), 1 - erfcLarge(2.5), 1e-14);
    }

    @Test
    void erfWithinOneMillionthOnADenseGrid() {
        int n = 240_001; // [-6, 6] in steps of 5e-5
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (-6.0 + 12.0 * i / (n - 1));
        }
        float[] out = new float[n];
        ActivationKernels.erf(x, out, n);
        double maxErr = 0;
        for (int i = 0; i < n; i++) {
            maxErr = Math.max(maxErr, Math.abs(out[i] - erfRef(x[i])));
        }
        assertEquals(0.0, maxErr, 1e-6, "max |erf - reference| on [-6, 6]");
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-30f, -1e-30f, 1f, -1f, 100f};
        float[] got = new float[special.length];
        ActivationKernels.erf(special, got, special.length);
        assertEquals(0f, got[0]);
        assertEquals(1f, got[2]);
        assertEquals(-1f, got[3]);
        assertEquals(0.0, got[4], 1e-6); // absolute accuracy only: erf = 1 - erfc
        assertEquals(0.0, got[5], 1e-6);
        assertEquals(erfRef(1), got[6], 2e-7);
        assertEquals(erfRef(-1), got[7], 2e-7);
        assertEquals(1f, got[8]);
    }

    @Test
    void geluMatchesDoubleReferenceOnADenseGrid() {
        int n = 240_007; // [-12, 12], odd length exercises the masked tail
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (-12.0 + 24.0 * i / (n - 1));
        }
        float[] out = new float[n];
        ActivationKernels.geluForward(Parallelism.sequential(), x, out, n);
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            expected[i] = geluRef(x[i]);
        }
        assertClose("gelu", expected, out, 1e-6, 1e-6);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 130})
    void geluAndReluForwardOnOddSizes(int n) {
        Random rnd = new Random(n);
        float[] x = randomFloats(rnd, n, 2.0);
        float[] out = new float[n];
        ActivationKernels.geluForward(Parallelism.sequential(), x, out, n);
        double[] eg = new double[n];
        double[] er = new double[n];
        for (int i = 0; i < n; i++) {
            eg[i] = geluRef(x[i]);
            er[i] = Math.max(0, x[i]);
        }
        assertClose("gelu n=" + n, eg, out, 1e-6, 1e-6);
        ActivationKernels.reluForward(Parallelism.sequential(), x, out, n);
        assertClose("relu n=" + n, er, out, 0, 0);
    }

    @Test
    void geluBackwardMatchesAnalyticDerivativeOnADenseGrid() {
        int n = 48_003; // [-12, 12]
        float[] x = new float[n];
        float[] dout = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (-12.0 + 24.0 * i / (n - 1));
            dout[i] = 1f;
        }
        float[] dx = new float[n];
        ActivationKernels.geluBackward(Parallelism.sequential(), x, dout, dx, n);
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            expected[i] = geluGradRef(x[i]);
        }
        assertClose("gelu'", expected, dx, 1e-6, 1e-6);
    }

    /**
     * The overwrite form sets dx without reading it (NaN there must not survive) and gives the bits of adding into
     * zeros, for lengths with and without a partial last vector, on one and two threads.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 2 * KernelMath.ELEMENT_GRAIN + 3})
    void geluBackwardOverwriteSetsDxWithoutReadingIt(int n) {
        Random rnd = new Random(300 + n);
        float[] x = randomFloats(rnd, n, 4.0);
        float[] dout = randomFloats(rnd, n, 1.0);
        for (int threads : new int[] {1, 2}) {
            try (Parallelism par = Parallelism.of(threads)) {
                float[] added = new float[n];
                ActivationKernels.geluBackward(par, x, dout, added, n);
                float[] set = new float[n];
                java.util.Arrays.fill(set, Float.NaN);
                ActivationKernels.geluBackward(par, x, dout, set, n, true);
                assertArrayEquals(added, set, 0f, "n=" + n + ", " + threads + " thread(s)");
            }
        }
    }

    /**
     * Backward against central finite differences (eps 1e-3, in double) of the double reference forward
     * under the projection loss L = Σ out·r. The difference quotient is accurate to ~eps²·|f'''| ≈ 1e-6 and
     * the float kernel to ~1e-6, so 1e-5 absolute + 1e-4 relative leaves a wide margin while still catching
     * any wrong term. dx is pre-filled, so the test also checks the += convention.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33})
    void backwardsMatchFiniteDifferencesAndAccumulate(int n) {
        Random rnd = new Random(100 + n);
        float[] x = randomFloats(rnd, n, 2.0);
        for (int i = 0; i < n; i++) {
            if (Math.abs(x[i]) < 0.05f) {
                x[i] = 0.3f; // keep ReLU's kink out of the difference quotient
            }
        }
        float[] r = randomFloats(rnd, n, 1.0);
        double[] rd = toDouble(r);
        double[] xd = toDouble(x);

        double[] fdGelu = numericGradient(xd, 1e-3, xs -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += geluRef(xs[i]) * rd[i];
            }
            return s;
        });
        float[] prefill = randomFloats(rnd, n, 1.0);
        float[] dx = prefill.clone();
        ActivationKernels.geluBackward(Parallelism.sequential(), x, r, dx, n);
        assertClose("gelu backward n=" + n, plus(prefill, fdGelu), dx, 1e-5, 1e-4);

        double[] fdRelu = numericGradient(xd, 1e-3, xs -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += Math.max(0, xs[i]) * rd[i];
            }
            return s;
        });
        dx = prefill.clone();
        ActivationKernels.reluBackward(Parallelism.sequential(), x, r, dx, n);
        assertClose("relu backward n=" + n, plus(prefill, fdRelu), dx, 1e-5, 1e-4);
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalResults() {
        int n = 70_001;
        Random rnd = new Random(5);
        float[] x = randomFloats(rnd, n, 3.0);
        float[] dout = randomFloats(rnd, n, 1.0);
        float[] o1 = new float[n];
        float[] o2 = new float[n];
        float[] g1 = new float[n];
        float[] g2 = new float[n];
        try (Parallelism two = Parallelism.of(2)) {
            ActivationKernels.geluForward(Parallelism.sequential(), x, o1, n);
            ActivationKernels.geluForward(two, x, o2, n);
            assertArrayEquals(o1, o2);
            ActivationKernels.geluBackward(Parallelism.sequential(), x, dout, g1, n);
            ActivationKernels.geluBackward(two, x, dout, g2, n);
            assertArrayEquals(g1, g2);
            ActivationKernels.reluForward(Parallelism.sequential(), x, o1, n);
            ActivationKernels.reluForward(two, x, o2, n);
            assertArrayEquals(o1, o2);
            ActivationKernels.reluBackward(Parallelism.sequential(), x, dout, g1, n);
            ActivationKernels.reluBackward(two, x, dout, g2, n);
            assertArrayEquals(g1, g2);
        }
    }

    @Test
    void tooShortArraysAreRejectedWithTheirNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ActivationKernels.geluForward(Parallelism.sequential(), new float[3], new float[2], 3));
        assertEquals(true, e.getMessage().contains("out") && e.getMessage().contains("2"), e.getMessage());
    }

    /** GELU's tanh approximation in double, from the published formula 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    static double geluTanhRef(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    @Test
    void geluTanhMatchesTheFormulaInDoubleOnADenseGridAndAtTheExtremes() {
        int n = 120_001; // [-12, 12] in steps of 2e-4
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (-12.0 + 24.0 * i / (n - 1));
        }
        float[] out = new float[n];
        ActivationKernels.geluTanhForward(Parallelism.sequential(), x, out, n);
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            expected[i] = geluTanhRef(x[i]);
        }
        assertClose("gelu_tanh", expected, out, 1e-6, 1e-6);
        float[] far = {-1e4f, -100f, 100f, 1e4f, 0f};
        float[] got = new float[far.length];
        ActivationKernels.geluTanhForward(Parallelism.sequential(), far, got, far.length);
        assertArrayEquals(new float[] {0f, 0f, 100f, 1e4f, 0f}, got, 1e-30f); // the tails: 0 and x, exactly or nearly
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 1000})
    void geluTanhBackwardMatchesFiniteDifferencesOfTheFormulaAndAccumulates(int n) {
        Random rnd = new Random(300 + n);
        float[] x = randomFloats(rnd, n, 4.0);
        float[] r = randomFloats(rnd, n, 1.0);
        double[] rd = toDouble(r);
        double[] fd = numericGradient(toDouble(x), 1e-3, xs -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += geluTanhRef(xs[i]) * rd[i];
            }
            return s;
        });
        float[] prefill = randomFloats(rnd, n, 1.0);
        float[] dx = prefill.clone();
        ActivationKernels.geluTanhBackward(Parallelism.sequential(), x, r, dx, n);
        assertClose("gelu_tanh backward n=" + n, plus(prefill, fd), dx, 1e-5, 1e-4);
    }
}
