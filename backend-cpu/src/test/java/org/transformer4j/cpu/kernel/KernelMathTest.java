package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class KernelMathTest {

    @Test
    void expIsWithinTwoTenthsOfAMillionthRelativeOverTheNormalRange() {
        double maxRel = 0;
        for (int i = 0; i <= 400_000; i++) {
            float x = (float) (-87.0 + 175.0 * i / 400_000);
            double ref = Math.exp(x); // double exp is exact to far below float precision
            maxRel = Math.max(maxRel, Math.abs(KernelMath.exp(x) - ref) / ref);
        }
        assertTrue(maxRel < 2e-7, "max relative error of exp was " + maxRel);
        assertEquals(1f, KernelMath.exp(0f));
        assertEquals(0f, KernelMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, KernelMath.exp(-100f));
        assertTrue(Float.isNaN(KernelMath.exp(Float.NaN)));
    }

    @Test
    void vectorAndScalarExpGiveTheSameBits() {
        int n = KernelMath.L * 5000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (-90.0 + 180.0 * i / n);
        }
        x[0] = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i += KernelMath.L) {
            FloatVector e = KernelMath.exp(FloatVector.fromArray(KernelMath.F, x, i));
            for (int l = 0; l < KernelMath.L; l++) {
                assertEquals(Float.floatToIntBits(KernelMath.exp(x[i + l])), Float.floatToIntBits(e.lane(l)),
                        "exp(" + x[i + l] + ")");
            }
        }
    }

    @Test
    void sumLanesAddsInAFixedButterflyOrder() {
        Random rnd = new Random(12);
        for (int rep = 0; rep < 2000; rep++) {
            float[] a = new float[KernelMath.L];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
            }
            // scalar emulation of the documented order: lane i += lane i^w for w = L/2, ..., 1
            float[] s = a.clone();
            for (int w = KernelMath.L / 2; w >= 1; w /= 2) {
                float[] next = new float[s.length];
                for (int i = 0; i < s.length; i++) {
                    next[i] = s[i] + s[i ^ w];
                }
                s = next;
            }
            assertEquals(s[0], KernelMath.sumLanes(FloatVector.fromArray(KernelMath.F, a, 0)), "repetition " + rep);
        }
    }

    @Test
    void dotAndAxpyMatchScalarLoops() {
        for (int len : new int[] {1, 7, 33, 130}) {
            float[] a = new float[len + 3];
            float[] b = new float[len + 5];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) Math.sin(i + 1);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) Math.cos(2 * i);
            }
            double ref = 0;
            for (int d = 0; d < len; d++) {
                ref += (double) a[3 + d] * b[5 + d];
            }
            assertEquals(ref, KernelMath.dot(a, 3, b, 5, len), 1e-5 * len, "dot len=" + len);
            float[] y = b.clone();
            KernelMath.axpy(0.5f, a, 3, y, 5, len);
            for (int i = 0; i < y.length; i++) {
                double e = i >= 5 && i < 5 + len ? b[i] + 0.5 * a[i - 2] : b[i];
                assertEquals(e, y[i], 1e-6, "axpy len=" + len + " index " + i);
            }
        }
    }
}
