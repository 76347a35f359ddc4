package org.transformer4j.conformance;

import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Finite-difference gradients, to check backward passes: {@code df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / (x_i⁺ - x_i⁻)}
 * (central differences, error O(h²)), where {@code x_i⁺} and {@code x_i⁻} are the perturbed values as float32
 * actually stores them, so float rounding of the step does not bias the quotient. The function may compute in
 * float32; pick an epsilon around 1e-2 to 1e-3 then, and a tolerance of about 1e-2 relative.
 */
public final class GradientCheck {

    private GradientCheck() {
    }

    /**
     * The numerical gradient of {@code f} at {@code x}. {@code f} is called {@code 2·x.length} times on a copy
     * of {@code x} with one element moved; it must not keep the array. {@code x} itself is left unchanged.
     *
     * @param f       a scalar function of the values
     * @param x       the point
     * @param epsilon the step h, positive
     * @return {@code df/dx_i} for every i
     * @throws IllegalArgumentException when {@code epsilon} is not positive and finite, or too small to move an
     *     element in float32
     */
    public static double[] numericGradient(ToDoubleFunction<float[]> f, float[] x, double epsilon) {
        Objects.requireNonNull(f, "f");
        Objects.requireNonNull(x, "x");
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and > 0, was " + epsilon);
        }
        float[] work = x.clone();
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            float plus = (float) (x[i] + epsilon);
            float minus = (float) (x[i] - epsilon);
            if (plus == minus) {
                throw new IllegalArgumentException("epsilon " + epsilon + " is too small to move x[" + i + "] = "
                        + x[i] + " in float32; use a larger epsilon");
            }
            work[i] = plus;
            double up = f.applyAsDouble(work);
            work[i] = minus;
            double down = f.applyAsDouble(work);
            work[i] = x[i];
            grad[i] = (up - down) / ((double) plus - (double) minus);
        }
        return grad;
    }

    /**
     * The numerical gradient of a function of doubles, with the step exactly {@code ±epsilon}.
     *
     * @param f       a scalar function of the values; it must not keep the array
     * @param x       the point, left unchanged
     * @param epsilon the step h, positive
     * @return {@code df/dx_i} for every i
     * @throws IllegalArgumentException when {@code epsilon} is not positive and finite
     */
    public static double[] numericGradient(ToDoubleFunction<double[]> f, double[] x, double epsilon) {
        Objects.requireNonNull(f, "f");
        Objects.requireNonNull(x, "x");
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and > 0, was " + epsilon);
        }
        double[] work = x.clone();
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            work[i] = x[i] + epsilon;
            double up = f.applyAsDouble(work);
            work[i] = x[i] - epsilon;
            double down = f.applyAsDouble(work);
            work[i] = x[i];
            grad[i] = (up - down) / (2 * epsilon);
        }
        return grad;
    }

    /**
     * Compares an analytic gradient against a numerical one; the result names the worst element.
     *
     * @param analytic  the backward pass's gradient
     * @param numeric   the finite-difference gradient, e.g. from
     *                  {@link #numericGradient(ToDoubleFunction, float[], double)}
     * @param tolerance the allowance per element
     * @return the comparison
     */
    public static Comparison compare(float[] analytic, double[] numeric, Tolerance tolerance) {
        Objects.requireNonNull(analytic, "analytic");
        double[] a = new double[analytic.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = analytic[i];
        }
        return Comparison.of(a, numeric, tolerance);
    }

    /**
     * Fails with an {@link AssertionError} naming {@code what}, the worst element and the error maxima unless the
     * analytic gradient matches the numerical one within {@code tolerance}.
     *
     * @param what      what the gradient is of, for the message
     * @param analytic  the backward pass's gradient
     * @param numeric   the finite-difference gradient
     * @param tolerance the allowance per element
     * @throws AssertionError when an element is outside the tolerance or the lengths differ
     */
    public static void assertGradientClose(String what, float[] analytic, double[] numeric, Tolerance tolerance) {
        Comparison c = compare(analytic, numeric, tolerance);
        if (!c.passed()) {
            throw new AssertionError("gradient of " + what + " (analytic vs finite differences): " + c.describe());
        }
    }
}
