package org.transformer4j.nn;

import org.transformer4j.tensor.Tensor;

/**
 * Weights that also carry adapters of some linear layers (LoRA): {@link org.transformer4j.nn.layers.Linear} asks
 * them to {@link #adapt} its output, so an adapter is a branch beside a frozen weight, written once for every model
 * and backend, instead of a modified copy of the weight.
 */
public interface AdaptedParameters extends Parameters {

    /**
     * The output of linear layer {@code linear} (its weight name without {@code .weight}) for input {@code x}, given
     * the frozen layer's output {@code y}: {@code y} itself when the layer has no adapter.
     */
    Tensor adapt(Ops ops, String linear, Tensor x, Tensor y);
}
