package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.transformer4j.cpu.kernel.KernelTestSupport.assertClose;
import static org.transformer4j.cpu.kernel.KernelTestSupport.randomFloats;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DropoutKernelTest {

    @Test
    void sameSeedSameMaskOtherSeedOtherMask() {
        int n = 1000;
        float[] x = randomFloats(new Random(1), n, 1.0);
        byte[] m1 = new byte[n];
        byte[] m2 = new byte[n];
        byte[] m3 = new byte[n];
        float[] o1 = new float[n];
        float[] o2 = new float[n];
        DropoutKernel.forward(Parallelism.sequential(), x, o1, m1, n, 0.5f, 42L);
        DropoutKernel.forward(Parallelism.sequential(), x, o2, m2, n, 0.5f, 42L);
        DropoutKernel.forward(Parallelism.sequential(), x, new float[n], m3, n, 0.5f, 43L);
        assertArrayEquals(m1, m2);
        assertArrayEquals(o1, o2);
        assertFalse(Arrays.equals(m1, m3), "seeds 42 and 43 gave the same mask");
    }

    @Test
    void maskOfAnElementDependsOnlyOnSeedAndIndex() {
        // lengths 37 and 64: the elements 32..36 go through the scalar loop tail in one and the vector loop in the other
        float[] x = randomFloats(new Random(2), 64, 1.0);
        byte[] shortMask = new byte[37];
        byte[] longMask = new byte[64];
        DropoutKernel.forward(Parallelism.sequential(), x, new float[37], shortMask, 37, 0.5f, 77L);
        DropoutKernel.forward(Parallelism.sequential(), x, new float[64], longMask, 64, 0.5f, 77L);
        assertArrayEquals(shortMask, Arrays.copyOf(longMask, 37));
    }

    @ParameterizedTest
    @ValueSource(floats = {0.1f, 0.5f, 0.9f})
    void keepsAFractionOneMinusPAndScalesTheKept(float p) {
        int n = 1_000_003;
        float[] x = new float[n];
        Arrays.fill(x, 2f);
        float[] out = new float[n];
        byte[] mask = new byte[n];
        DropoutKernel.forward(Parallelism.sequential(), x, out, mask, n, p, 7L);
        float scale = 1f / (1f - p);
        long kept = 0;
        long keptFirstHalf = 0;
        for (int i = 0; i < n; i++) {
            if (mask[i] == 1) {
                kept++;
                keptFirstHalf += i < n / 2 ? 1 : 0;
                assertEquals(2f * scale, out[i], "kept element " + i);
            } else {
                assertEquals(0, mask[i]);
                assertEquals(0f, out[i], "dropped element " + i);
            }
        }
        // binomial standard deviation sqrt(p(1-p)/n) <= 5e-4; allow 6 of them
        double sigma = Math.sqrt(p * (1 - p) / n);
        assertEquals(1 - p, (double) kept / n, 6 * sigma);
        assertEquals(1 - p, (double) keptFirstHalf / (n / 2), 6 * Math.sqrt(2) * sigma);
    }

    /**
     * {@link DropoutKernel#factors} regenerates the forward's mask: for any stretch [offset, offset + n), cut anywhere
     * (vector loop or scalar tail), the factor of element i is 1/(1-p) exactly where the forward keeps element i.
     */
    @Test
    void factorsAreTheForwardMaskForAnyStretch() {
        int n = 300;
        float p = 0.3f;
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        byte[] mask = new byte[n];
        DropoutKernel.forward(Parallelism.sequential(), ones, new float[n], mask, n, p, 2024L);
        float keptFactor = 1f / (1f - p);
        Random rnd = new Random(8);
        for (int trial = 0; trial < 200; trial++) {
            int offset = rnd.nextInt(n);
            int len = rnd.nextInt(n - offset + 1);
            float[] dst = new float[len + 3];
            Arrays.fill(dst, -1f);
            DropoutKernel.factors(2024L, p, offset, dst, len);
            for (int i = 0; i < len; i++) {
                float expected = mask[offset + i] == 1 ? keptFactor : 0f;
                assertEquals(expected, dst[i], "element " + (offset + i) + " of the stretch at " + offset);
            }
            assertEquals(-1f, dst[len], "factors must write only n elements");
        }
        assertThrows(IllegalArgumentException.class, () -> DropoutKernel.factors(1L, 1f, 0, new float[4], 4),
                "p = 1 would divide by zero");
        assertThrows(IllegalArgumentException.class, () -> DropoutKernel.factors(1L, 0.5f, 0, new float[3], 4));
    }

    @ParameterizedTest
    @ValueSource(floats = {0.1f, 0.5f})
    void seededFactorsKeepAFractionOneMinusP(float p) {
        int n = 1 << 20;
        float[] dst = new float[n];
        DropoutFactors.seeded(99L, p).fill(12345, dst, n);
        long kept = 0;
        for (int i = 0; i < n; i++) {
            if (dst[i] != 0f) {
                kept++;
                assertEquals(1f / (1f - p), dst[i], "kept factor at " + i);
            }
        }
        double sigma = Math.sqrt(p * (1 - p) / n);
        assertEquals(1 - p, (double) kept / n, 6 * sigma, "kept fraction of " + n + " factors");
    }

    @Test
    void zeroProbabilityIsTheIdentityAndOneDropsEverything() {
        int n = 33;
        float[] x = randomFloats(new Random(3), n, 1.0);
        float[] out = new float[n];
        byte[] mask = new byte[n];
        DropoutKernel.forward(Parallelism.sequential(), x, out, mask, n, 0f, 5L);
        assertArrayEquals(x, out);
        byte[] ones = new byte[n];
        Arrays.fill(ones, (byte) 1);
        assertArrayEquals(ones, mask);
        DropoutKernel.forward(Parallelism.sequential(), x, out, mask, n, 1f, 5L);
        assertArrayEquals(new float[n], out);
        float[] dx = new float[n];
        DropoutKernel.backward(Parallelism.sequential(), x, mask, n, 1f, dx);
        assertArrayEquals(new float[n], dx);
        assertThrows(IllegalArgumentException.class,
                () -> DropoutKernel.forward(Parallelism.sequential(), x, out, mask, n, 1.5f, 5L));
    }

    /**
     * Backward against central differences (eps 1e-2) of the kernel's own forward with a fixed seed under the
     * projection loss L = Σ out·r; dropout is linear in x for a fixed mask, so the quotient is exact up to float
     * rounding of L (1e-4 absolute + 1e-3 relative). dx is pre-filled (+= convention).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 130})
    void backwardUsesTheMaskAndAccumulates(int n) {
        Random rnd = new Random(n);
        float p = 0.3f;
        long seed = 99L;
        float[] x = randomFloats(rnd, n, 1.0);
        float[] r = randomFloats(rnd, n, 1.0);
        byte[] mask = new byte[n];
        DropoutKernel.forward(Parallelism.sequential(), x, new float[n], mask, n, p, seed);
        double[] fd = new double[n];
        for (int i = 0; i < n; i++) {
            float keep = x[i];
            x[i] = keep + 1e-2f;
            double plus = projected(x, r, n, p, seed);
            x[i] = keep - 1e-2f;
            double minus = projected(x, r, n, p, seed);
            x[i] = keep;
            fd[i] = (plus - minus) / (x[i] + 1e-2f - (x[i] - 1e-2f));
        }
        float[] pre = randomFloats(rnd, n, 1.0);
        float[] dx = pre.clone();
        DropoutKernel.backward(Parallelism.sequential(), r, mask, n, p, dx);
        assertClose("dropout dx", KernelTestSupport.plus(pre, fd), dx, 1e-4, 1e-3);
        for (int i = 0; i < n; i++) {
            if (mask[i] == 0) {
                assertEquals(pre[i], dx[i], "dropped element " + i + " must get no gradient");
            }
        }
    }

    private static double projected(float[] x, float[] r, int n, float p, long seed) {
        float[] out = new float[n];
        DropoutKernel.forward(Parallelism.sequential(), x, out, new byte[n], n, p, seed);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) out[i] * r[i];
        }
        return s;
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalResults() {
        int n = 70_001;
        float[] x = randomFloats(new Random(8), n, 1.0);
        float[] dout = randomFloats(new Random(9), n, 1.0);
        try (Parallelism two = Parallelism.of(2)) {
            float[] o1 = new float[n];
            float[] o2 = new float[n];
            byte[] m1 = new byte[n];
            byte[] m2 = new byte[n];
            DropoutKernel.forward(Parallelism.sequential(), x, o1, m1, n, 0.2f, 123L);
            DropoutKernel.forward(two, x, o2, m2, n, 0.2f, 123L);
            assertArrayEquals(m1, m2);
            assertArrayEquals(o1, o2);
            float[] d1 = new float[n];
            float[] d2 = new float[n];
            DropoutKernel.backward(Parallelism.sequential(), dout, m1, n, 0.2f, d1);
            DropoutKernel.backward(two, dout, m2, n, 0.2f, d2);
            assertArrayEquals(d1, d2);
        }
    }
}
