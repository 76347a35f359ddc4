package org.transformer4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GradientCheckTest {

    // f(x) = sum x_i sin(x_i): df/dx_i = sin(x_i) + x_i cos(x_i)
    private static double f(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * Math.sin(v);
        }
        return s;
    }

    private static double analytic(double x) {
        return Math.sin(x) + x * Math.cos(x);
    }

    @Test
    void centralDifferencesInDoubleMatchTheDerivative() {
        double[] x = {-2, -0.5, 0, 0.3, 1.7};
        double[] g = GradientCheck.numericGradient(GradientCheckTest::f, x, 1e-5);
        for (int i = 0; i < x.length; i++) {
            assertEquals(analytic(x[i]), g[i], 1e-9, "element " + i);
        }
        assertEquals(-2, x[0]); // the point is not modified
    }

    @Test
    void centralDifferencesOfAFloatFunctionUseTheStoredStep() {
        float[] x = {-2f, -0.5f, 0f, 0.3f, 1.7f};
        double[] g = GradientCheck.numericGradient((float[] v) -> {
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                d[i] = v[i];
            }
            return f(d);
        }, x, 1e-3);
        float[] exact = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            exact[i] = (float) analytic(x[i]);
        }
        GradientCheck.assertGradientClose("x sin x", exact, g, new Tolerance(1e-5, 1e-5, "O(h^2) truncation"));
    }

    @Test
    void comparisonReportsTheWorstElement() {
        float[] analytic = {1f, 2f, 3f, 4f};
        double[] numeric = {1.0, 2.0, 3.3, 4.0001};
        Comparison c = GradientCheck.compare(analytic, numeric, new Tolerance(1e-3, 1e-3, "test"));
        assertFalse(c.passed());
        assertEquals(2, c.worstIndex());
        assertEquals(0.3, c.maxAbsError(), 1e-6);
        assertEquals(0.3 / 3.3, c.maxRelError(), 1e-6);
        AssertionError err = assertThrows(AssertionError.class, () -> GradientCheck.assertGradientClose("w",
                analytic, numeric, new Tolerance(1e-3, 1e-3, "test")));
        assertTrue(err.getMessage().contains("index 2") && err.getMessage().contains("gradient of w"),
                err.getMessage());
    }

    @Test
    void rejectsAnEpsilonTooSmallForFloat32() {
        assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.numericGradient((float[] v) -> v[0], new float[] {1000f}, 1e-8));
        assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.numericGradient((float[] v) -> v[0], new float[] {1f}, 0));
    }
}
