package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.Function;

/**
 * Shared helpers of the kernel tests: seeded random arrays, double copies, a central finite-difference
 * gradient and tolerance assertions that name the failing index.
 */
final class KernelTestSupport {
    private KernelTestSupport() {
    }

    static float[] randomFloats(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    static float[] uniformFloats(Random rnd, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * Central finite differences in double of a scalar function of one array argument:
     * {@code (f(x + eps·e_i) - f(x - eps·e_i)) / (2 eps)} for every i; x is restored afterwards.
     */
    static double[] numericGradient(double[] x, double eps, Function<double[], Double> f) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + eps;
            double plus = f.apply(x);
            x[i] = keep - eps;
            double minus = f.apply(x);
            x[i] = keep;
            g[i] = (plus - minus) / (2 * eps);
        }
        return g;
    }

    /** Asserts {@code |actual[i] - expected[i]| <= abs + rel·|expected[i]|} for every i. */
    static void assertClose(String what, double[] expected, float[] actual, double abs, double rel) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = abs + rel * Math.abs(expected[i]);
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= tol)) {
                fail(what + ": index " + i + " expected " + expected[i] + " but was " + actual[i] + " (error " + err
                        + " > tolerance " + tol + ")");
            }
        }
    }

    /** The same as {@code assertClose} for two double arrays. */
    static void assertCloseD(String what, double[] expected, double[] actual, double abs, double rel) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = abs + rel * Math.abs(expected[i]);
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= tol)) {
                fail(what + ": index " + i + " expected " + expected[i] + " but was " + actual[i] + " (error " + err
                        + " > tolerance " + tol + ")");
            }
        }
    }

    /** {@code a + b} element-wise, as double (expected value of an accumulated gradient). */
    static double[] plus(float[] prefill, double[] grad) {
        double[] s = new double[grad.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = prefill[i] + grad[i];
        }
        return s;
    }
}
