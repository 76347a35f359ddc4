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

    /**
     * A norm over {@code dim} channels.
     *
     * @param name prefix of the gain's name, e.g. {@code model.norm}
     * @param dim  width of the last axis
     * @param eps  added to the mean square before the square root ({@code rms_norm_eps})
     */
    public RmsNorm(String name, int dim, float eps) {
        this.name = name;
        this.dim = dim;
        this.eps = eps;
    }

    /** {@return the gain {@code <name>.weight [C]}, initialised to ones} */
    public List<ParameterSpec> parameterSpecs() {
        return List.of(ParameterSpec.ones(name + ".weight", Shape.of(dim)));
    }

    /**
     * {@code x / sqrt(mean(x²) + eps) · weight} over the last axis.
     *
     * @param ops the backend's ops
     * @param p   the weights
     * @param x   {@code [..., C]}
     * @return the same shape as {@code x}
     */
    public Tensor forward(Ops ops, Parameters p, Tensor x) {
        return ops.rmsNorm(x, p.get(name + ".weight"), eps);
    }
}
