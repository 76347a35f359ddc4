package org.transformer4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ToleranceAndComparisonTest {
    private final Tolerance tol = new Tolerance(1e-3, 1e-2, "test");

    @Test
    void allcloseRule() {
        // allowance at expected 10: 1e-3 + 1e-2 * 10 = 0.101
        assertTrue(tol.allows(10.1, 10));
        assertFalse(tol.allows(10.102, 10));
        // near zero only abs counts
        assertTrue(tol.allows(0.0009, 0));
        assertFalse(tol.allows(0.0011, 0));
        assertFalse(tol.allows(Double.NaN, 0));
        assertFalse(tol.allows(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new Tolerance(-1, 0, "negative"));
        assertThrows(IllegalArgumentException.class, () -> new Tolerance(0, Double.NaN, "nan"));
    }

    @Test
    void comparisonFindsMaximaAndWorstElement() {
        double[] expected = {0, 10, 100, 1};
        double[] actual = {0.0005, 10.05, 100.5, 1};
        Comparison c = Comparison.of(actual, expected, tol);
        assertTrue(c.passed(), c.describe());
        assertEquals(0.5, c.maxAbsError(), 1e-12);
        // relative errors: 0.0005/max(0, 1e-3)=0.5, 0.05/10=0.005, 0.5/100=0.005
        assertEquals(0.5, c.maxRelError(), 1e-12);
        // ratios to allowance: 0.0005/0.001=0.5, 0.05/0.101=0.495, 0.5/1.001=0.4995 -> index 0 is the worst
        assertEquals(0, c.worstIndex());
        assertEquals(4, c.count());
    }

    @Test
    void comparisonFailsOnOneBadElementAndOnNaN() {
        Comparison c = Comparison.of(new float[] {1, 2, 3.5f}, new float[] {1, 2, 3}, tol);
        assertFalse(c.passed());
        assertEquals(2, c.worstIndex());
        assertTrue(c.describe().contains("index 2") && c.describe().startsWith("FAIL"), c.describe());
        Comparison nan = Comparison.of(new float[] {1, Float.NaN}, new float[] {1, 2}, tol);
        assertFalse(nan.passed());
        assertEquals(1, nan.worstIndex());
        assertTrue(Double.isNaN(nan.maxAbsError()));
    }

    @Test
    void lengthMismatchFails() {
        Comparison c = Comparison.of(new float[2], new float[3], tol);
        assertFalse(c.passed());
        assertTrue(c.describe().contains("2 values computed, 3 expected"), c.describe());
    }
}
