package org.transformer4j.nn.layers;

import java.util.List;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Layer normalization over the last axis: {@code <name>.weight [C]} and, with bias, {@code <name>.bias [C]}; the
 * epsilon comes from the config (PyTorch's 1e-5 unless it says otherwise).
 */
public final class LayerNorm {
    private final String name;
    private final int dim;
    private final boolean bias;
    private final float eps;

    /**
     * A norm with weights {@code <name>.weight} (and {@code <name>.bias}).
     *
     * @param name the prefix, e.g. {@code transformer.h.0.ln_1}
     * @param dim C
     * @param bias whether it has a shift
     * @param eps added to the variance
     */
    public LayerNorm(String name, int dim, boolean bias, float eps) {
        this.name = name;
        this.dim = dim;
        this.bias = bias;
        this.eps = eps;
    }

    /**
     * The gain, then the shift if any.
     *
     * @return the specs
     */
    public List<ParameterSpec> parameterSpecs() {
        ParameterSpec g = ParameterSpec.ones(name + ".weight", Shape.of(dim));
        return bias ? List.of(g, ParameterSpec.zeros(name + ".bias", Shape.of(dim))) : List.of(g);
    }

    /**
     * Normalizes {@code x}.
     *
     * @param ops the backend's ops
     * @param p the weights
     * @param x {@code [..., C]}
     * @return the normalized {@code x}, same shape
     */
    public Tensor forward(Ops ops, Parameters p, Tensor x) {
        return ops.layerNorm(x, p.get(name + ".weight"), bias ? p.get(name + ".bias") : null, eps);
    }
}
