package org.transformer4j.nn.layers;

import java.util.List;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/** RMS normalization over the last axis ({@link Ops#rmsNorm}) with its gain {@code <name>.weight [C]} (starts at 1). */
public final class RmsNorm {
    private final String name;
    private final int dim;
    private final float eps;

    public RmsNorm(String name, int dim, float eps) {
        this.name = name;
        this.dim = dim;
        this.eps = eps;
    }

    public List<ParameterSpec> parameterSpecs() {
        return List.of(ParameterSpec.ones(name + ".weight", Shape.of(dim)));
    }

    public Tensor forward(Ops ops, Parameters p, Tensor x) {
        return ops.rmsNorm(x, p.get(name + ".weight"), eps);
    }
}
