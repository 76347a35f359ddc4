package org.transformer4j.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ToleranceAndComparisonTest {
    private final Tolerance tol = new Tolerance(1e-3, 1e-2, "test");

    @Test
    void allcloseRule() {
        // allowance at expected 10: 1e-3 + 1e-2 * 10 = 0.101
        assertThat(tol.allows(10.1, 10)).isTrue();
        assertThat(tol.allows(10.102, 10)).isFalse();
        // near zero only abs counts
        assertThat(tol.allows(0.0009, 0)).isTrue();
        assertThat(tol.allows(0.0011, 0)).isFalse();
        assertThat(tol.allows(Double.NaN, 0)).isFalse();
        assertThat(tol.allows(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY)).isFalse();
        assertThatIllegalArgumentException().isThrownBy(() -> new Tolerance(-1, 0, "negative"));
        assertThatIllegalArgumentException().isThrownBy(() -> new Tolerance(0, Double.NaN, "nan"));
    }

    @Test
    void comparisonFindsMaximaAndWorstElement() {
        double[] expected = {0, 10, 100, 1};
        double[] actual = {0.0005, 10.05, 100.5, 1};
        Comparison c = Comparison.of(actual, expected, tol);
        assertThat(c.passed()).as(c.describe()).isTrue();
        assertThat(c.maxAbsError()).isCloseTo(0.5, within(1e-12));
        // relative errors: 0.0005/max(0, 1e-3)=0.5, 0.05/10=0.005, 0.5/100=0.005
        assertThat(c.maxRelError()).isCloseTo(0.5, within(1e-12));
        // ratios to allowance: 0.0005/0.001=0.5, 0.05/0.101=0.495, 0.5/1.001=0.4995 -> index 0 is the worst
        assertThat(c.worstIndex()).isZero();
        assertThat(c.count()).isEqualTo(4);
    }

    @Test
    void comparisonFailsOnOneBadElementAndOnNaN() {
        Comparison c = Comparison.of(new float[] {1, 2, 3.5f}, new float[] {1, 2, 3}, tol);
        assertThat(c.passed()).isFalse();
        assertThat(c.worstIndex()).isEqualTo(2);
        assertThat(c.describe()).startsWith("FAIL").contains("index 2");
        Comparison nan = Comparison.of(new float[] {1, Float.NaN}, new float[] {1, 2}, tol);
        assertThat(nan.passed()).isFalse();
        assertThat(nan.worstIndex()).isEqualTo(1);
        assertThat(nan.maxAbsError()).isNaN();
    }

    @Test
    void lengthMismatchFails() {
        Comparison c = Comparison.of(new float[2], new float[3], tol);
        assertThat(c.passed()).isFalse();
        assertThat(c.describe()).contains("2 values computed, 3 expected");
    }
}
