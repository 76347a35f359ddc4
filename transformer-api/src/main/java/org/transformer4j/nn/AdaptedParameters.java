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
     *
     * @param ops the ops of the forward pass
     * @param linear the layer's weight name without {@code .weight}
     * @param x the layer's input
     * @param y the frozen layer's output for {@code x}
     * @return {@code y} plus the adapter's branch, or {@code y}
     */
    Tensor adapt(Ops ops, String linear, Tensor x, Tensor y);
}
