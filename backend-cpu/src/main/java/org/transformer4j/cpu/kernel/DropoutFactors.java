package org.transformer4j.cpu.kernel;

/**
 * The dropout factors of a flat array of weights, handed out a stretch at a time: {@code 0} for a dropped element,
 * {@code 1/(1-p)} for a kept one. {@link AttentionKernel} takes them for attention dropout, so that a seeded mask
 * can be regenerated in the forward and again in the backward instead of being stored next to the probabilities
 * ({@code [B, heads, Tq, Tk]} floats per layer).
 */
@FunctionalInterface
public interface DropoutFactors {

    /**
     * Writes the factors of the elements {@code [offset, offset + n)} into {@code dst[0, n)}. The factor of an element
     * depends only on its index, never on how the range is cut, so any thread may ask for any stretch.
     */
    void fill(int offset, float[] dst, int n);

    /**
     * The mask that {@link DropoutKernel#forward} draws for {@code seed} and {@code p}, as factors: element i is kept
     * (factor {@code 1/(1-p)}) exactly where {@code DropoutKernel.forward(..., p, seed)} keeps element i.
     *
     * @param p drop probability in [0, 1)
     */
    static DropoutFactors seeded(long seed, float p) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("DropoutFactors.seeded: drop probability p must be in [0, 1), was " + p);
        }
        return (offset, dst, n) -> DropoutKernel.factors(seed, p, offset, dst, n);
    }

    /** Factors stored in an array (tests, and comparisons with another backend under one forced mask). */
    static DropoutFactors of(float[] factors) {
        if (factors == null) {
            throw new IllegalArgumentException("DropoutFactors.of: factors is null; pass an array or use no dropout");
        }
        return (offset, dst, n) -> {
            if (offset < 0 || n < 0 || (long) offset + n > factors.length) {
                throw new IllegalArgumentException("DropoutFactors.of: asked for elements [" + offset + ", "
                        + ((long) offset + n) + ") of " + factors.length + " factors; pass one factor per weight"
                        + " ([b, heads, tq, tk] for attention)");
            }
            System.arraycopy(factors, offset, dst, 0, n);
        };
    }
}
