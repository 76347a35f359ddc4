package org.transformer4j.nn;

import java.util.Objects;
import org.transformer4j.tensor.Shape;

/**
 * One weight a model declares: its name (nanoGPT/PyTorch style), its shape, how it starts, and whether
 * AdamW decays it (matrices yes; biases, norms and 1-d weights no).
 *
 * @param name   the state-dict key, e.g. {@code transformer.h.0.attn.c_attn.weight}
 * @param shape  its shape
 * @param init   how {@link Initializer} fills it
 * @param std    the standard deviation for {@link Init#NORMAL}; ignored otherwise
 * @param decay  true when weight decay applies
 */
public record ParameterSpec(String name, Shape shape, Init init, float std, boolean decay) {

    /** How a fresh parameter is filled. */
    public enum Init {
        /** Drawn from N(0, std²), each parameter from its own seeded stream. */
        NORMAL,
        /** All zeros. */
        ZEROS,
        /** All ones. */
        ONES
    }

    /** Checks name, shape and init are present. */
    public ParameterSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(init, "init");
    }

    /**
     * A matrix drawn from N(0, std²), decayed.
     *
     * @param name the state-dict key
     * @param shape its shape
     * @param std the standard deviation
     * @return the spec, decayed when it has two or more axes
     */
    public static ParameterSpec normal(String name, Shape shape, float std) {
        return new ParameterSpec(name, shape, Init.NORMAL, std, shape.rank() >= 2);
    }

    /**
     * A vector of zeros (biases), not decayed.
     *
     * @param name the state-dict key
     * @param shape its shape
     * @return the spec
     */
    public static ParameterSpec zeros(String name, Shape shape) {
        return new ParameterSpec(name, shape, Init.ZEROS, 0f, false);
    }

    /**
     * A vector of ones (norm gains), not decayed.
     *
     * @param name the state-dict key
     * @param shape its shape
     * @return the spec
     */
    public static ParameterSpec ones(String name, Shape shape) {
        return new ParameterSpec(name, shape, Init.ONES, 0f, false);
    }
}
