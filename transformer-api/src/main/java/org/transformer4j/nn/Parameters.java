package org.transformer4j.nn;

import org.transformer4j.tensor.Tensor;

/**
 * A model's named weights as tensors of one backend, as the composition reads them
 * ({@code transformer.h.0.ln_1.weight}...). Unknown names fail with a message naming them.
 */
@FunctionalInterface
public interface Parameters {

    /**
     * The weight called {@code name}; throws {@link IllegalArgumentException} if there is none.
     *
     * @param name the state-dict key, e.g. {@code transformer.h.0.ln_1.weight}
     * @return the tensor
     */
    Tensor get(String name);
}
