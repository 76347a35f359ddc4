package org.transformer4j.testing;

/**
 * The error function and its complement in double precision, accurate to about 1e-15 absolute (and about
 * 1e-12 relative for {@code erfc} in the tails), for reference computations of the exact GELU.
 *
 * <p>For {@code |x| < 3}: the everywhere-positive series
 * {@code erf(x) = 2/sqrt(pi) · exp(-x²) · Σ_{n≥0} 2ⁿ x^(2n+1) / (1·3·5···(2n+1))} (Abramowitz and Stegun
 * 7.1.6), which has no cancellation. For {@code |x| >= 3}: Laplace's continued fraction
 * {@code erfc(x) = exp(-x²)/sqrt(pi) · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))} (A&amp;S 7.1.14),
 * evaluated backwards from a fixed depth that is ample at {@code x >= 3}.
 */
public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    private static final double ONE_OVER_SQRT_PI = 1.0 / Math.sqrt(Math.PI);
    private static final double SERIES_LIMIT = 3.0;
    private static final int FRACTION_DEPTH = 200;

    private Erf() {
    }

    /** The error function {@code erf(x) = 2/sqrt(pi) ∫₀ˣ exp(-t²) dt}. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        double ax = Math.abs(x);
        if (ax < SERIES_LIMIT) {
            return series(x);
        }
        double r = 1.0 - continuedFraction(ax);
        return x < 0 ? -r : r;
    }

    /** The complementary error function {@code erfc(x) = 1 - erf(x)}, without cancellation for large x. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x >= SERIES_LIMIT) {
            return continuedFraction(x);
        }
        if (x <= -SERIES_LIMIT) {
            return 2.0 - continuedFraction(-x);
        }
        return 1.0 - series(x);
    }

    /** The standard normal cumulative distribution {@code Φ(x) = erfc(-x/√2) / 2}. */
    public static double normalCdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2.0));
    }

    /** Exact GELU in double: {@code x · Φ(x)}. */
    public static double gelu(double x) {
        return x * normalCdf(x);
    }

    private static double series(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 500; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /** erfc(x) for x >= 3 by the continued fraction. */
    private static double continuedFraction(double x) {
        double f = x;
        for (int k = FRACTION_DEPTH; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return ONE_OVER_SQRT_PI * Math.exp(-x * x) / f;
    }
}
