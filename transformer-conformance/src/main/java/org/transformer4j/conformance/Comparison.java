package org.transformer4j.conformance;

import java.util.Objects;

/**
 * Element-wise comparison of computed values against expected ones under a {@link Tolerance}: the largest
 * absolute error, the largest relative error {@code |a - b| / max(|b|, tolerance.abs)}, and the worst element,
 * the one furthest outside (or least inside) its allowance {@code abs + rel * |b|}.
 *
 * @param count         number of elements compared (0 when the lengths differ)
 * @param maxAbsError   largest {@code |actual - expected|} (NaN when a value is NaN)
 * @param maxRelError   largest {@code |actual - expected| / max(|expected|, abs)}
 * @param worstIndex    index of the worst element, -1 when nothing was compared
 * @param worstActual   the computed value there (NaN when none)
 * @param worstExpected the expected value there (NaN when none)
 * @param passed        true when every element is within the tolerance and the lengths agree
 * @param tolerance     the tolerance applied
 * @param problem       what went wrong beyond numbers (e.g. lengths differ), or null
 */
public record Comparison(int count, double maxAbsError, double maxRelError, int worstIndex, double worstActual,
        double worstExpected, boolean passed, Tolerance tolerance, String problem) {

    /**
     * Checks that the tolerance is present.
     *
     * @throws NullPointerException when {@code tolerance} is null
     */
    public Comparison {
        Objects.requireNonNull(tolerance, "tolerance");
    }

    /**
     * Compares float32 values.
     *
     * @param actual    the computed values
     * @param expected  the reference values, the same length
     * @param tolerance the allowance per element
     * @return the comparison; a failed one when the lengths differ
     */
    public static Comparison of(float[] actual, float[] expected, Tolerance tolerance) {
        return of(toDouble(actual), toDouble(expected), tolerance);
    }

    /**
     * Compares values (e.g. analytic gradients against finite differences).
     *
     * @param actual    the computed values
     * @param expected  the reference values, the same length
     * @param tolerance the allowance per element
     * @return the comparison; a failed one when the lengths differ
     */
    public static Comparison of(double[] actual, double[] expected, Tolerance tolerance) {
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(tolerance, "tolerance");
        if (actual.length != expected.length) {
            return failure("lengths differ: " + actual.length + " values computed, " + expected.length
                    + " expected", tolerance);
        }
        double maxAbs = 0;
        double maxRel = 0;
        int worst = -1;
        double worstRatio = -1;
        boolean passed = true;
        for (int i = 0; i < actual.length; i++) {
            double a = actual[i];
            double b = expected[i];
            double diff = Math.abs(a - b);
            double allowance = tolerance.abs() + tolerance.rel() * Math.abs(b);
            double ratio;
            double rel;
            if (!Double.isFinite(a) || !Double.isFinite(b)) {
                diff = Double.NaN;
                rel = Double.NaN;
                ratio = Double.POSITIVE_INFINITY;
            } else {
                double denominator = Math.max(Math.abs(b), tolerance.abs());
                rel = diff == 0 ? 0 : denominator == 0 ? Double.POSITIVE_INFINITY : diff / denominator;
                ratio = diff == 0 ? 0 : allowance == 0 ? Double.POSITIVE_INFINITY : diff / allowance;
            }
            if (!tolerance.allows(a, b)) {
                passed = false;
            }
            maxAbs = Double.isNaN(diff) || Double.isNaN(maxAbs) ? Double.NaN : Math.max(maxAbs, diff);
            maxRel = Double.isNaN(rel) || Double.isNaN(maxRel) ? Double.NaN : Math.max(maxRel, rel);
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
        }
        return new Comparison(actual.length, maxAbs, maxRel, worst,
                worst >= 0 ? actual[worst] : Double.NaN, worst >= 0 ? expected[worst] : Double.NaN,
                passed, tolerance, null);
    }

    /**
     * A comparison that failed before any number was compared (lengths or shapes differ).
     *
     * @param problem   what differs, for the report
     * @param tolerance the tolerance the case would have applied
     * @return a failed comparison of no elements
     */
    public static Comparison failure(String problem, Tolerance tolerance) {
        return new Comparison(0, Double.NaN, Double.NaN, -1, Double.NaN, Double.NaN, false, tolerance,
                Objects.requireNonNull(problem, "problem"));
    }

    /** {@return one line: pass/fail, the error maxima and the worst element with its allowance} */
    public String describe() {
        if (problem != null) {
            return "FAIL: " + problem;
        }
        String head = (passed ? "pass" : "FAIL") + ": " + count + " values, max abs error " + maxAbsError
                + ", max rel error " + maxRelError;
        if (worstIndex < 0) {
            return head;
        }
        return head + ", worst at index " + worstIndex + " (got " + worstActual + ", expected " + worstExpected
                + ", allowed " + tolerance + ")";
    }

    private static double[] toDouble(float[] v) {
        Objects.requireNonNull(v, "values");
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
