package org.transformer4j.nn.layers;

import java.util.List;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/** Layer normalization over the last axis (eps 1e-5): {@code <name>.weight [C]} and, with bias, {@code <name>.bias [C]}. */
public final class LayerNorm {
    /** PyTorch's default epsilon. */
    public static final float EPS = 1e-5f;

    private final String name;
    private final int dim;
    private final boolean bias;

    public LayerNorm(String name, int dim, boolean bias) {
        this.name = name;
        this.dim = dim;
        this.bias = bias;
    }

    public List<ParameterSpec> parameterSpecs() {
        ParameterSpec g = ParameterSpec.ones(name + ".weight", Shape.of(dim));
        return bias ? List.of(g, ParameterSpec.zeros(name + ".bias", Shape.of(dim))) : List.of(g);
    }

    public Tensor forward(Ops ops, Parameters p, Tensor x) {
        return ops.layerNorm(x, p.get(name + ".weight"), bias ? p.get(name + ".bias") : null, EPS);
    }
}
