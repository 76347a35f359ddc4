package org.transformer4j.conformance;

import java.util.Objects;

/**
 * How close two numbers must be to count as equal, with the reason for the slack. The rule is NumPy's
 * {@code allclose}: {@code |actual - expected| <= abs + rel * |expected|}; NaN or infinite values never match.
 *
 * @param abs    absolute slack, for values near zero (at least 0)
 * @param rel    relative slack, a fraction of the expected value (at least 0)
 * @param reason why this much slack is right, e.g. "float32 rounding, different summation order"
 */
public record Tolerance(double abs, double rel, String reason) {

    /** Default for float32 layer outputs computed in a different order: abs 1e-5, rel 1e-4. */
    public static final Tolerance FLOAT32_LAYER =
            new Tolerance(1e-5, 1e-4, "float32 rounding, different summation order");

    /**
     * Checks the slack and the reason.
     *
     * @throws IllegalArgumentException when {@code abs} or {@code rel} is negative, NaN or infinite
     * @throws NullPointerException     when {@code reason} is null
     */
    public Tolerance {
        if (!(abs >= 0) || !(rel >= 0) || Double.isInfinite(abs) || Double.isInfinite(rel)) {
            throw new IllegalArgumentException("tolerance abs and rel must be finite and >= 0, got abs=" + abs
                    + ", rel=" + rel);
        }
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Whether two values count as equal.
     *
     * @param actual   the computed value
     * @param expected the reference value
     * @return true when {@code |actual - expected| <= abs + rel * |expected|} and both are finite
     */
    public boolean allows(double actual, double expected) {
        if (!Double.isFinite(actual) || !Double.isFinite(expected)) {
            return false;
        }
        return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
    }

    @Override
    public String toString() {
        return "abs " + abs + ", rel " + rel + " (" + reason + ")";
    }
}
