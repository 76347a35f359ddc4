package org.transformer4j.nn.layers;

import java.util.List;
import org.transformer4j.nn.AdaptedParameters;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * A fully connected layer {@code y = x Wᵀ + b}, stored as PyTorch's {@code nn.Linear}:
 * {@code <name>.weight [out, in]} and, with bias, {@code <name>.bias [out]}.
 */
public final class Linear {
    private final String name;
    private final int in;
    private final int out;
    private final boolean bias;
    private final float std;

    /**
     * A layer {@code in -> out}.
     *
     * @param name prefix of the weight names
     * @param in   input width
     * @param out  output width
     * @param bias whether there is a bias
     * @param std  standard deviation of the initial weights
     */
    public Linear(String name, int in, int out, boolean bias, float std) {
        this.name = name;
        this.in = in;
        this.out = out;
        this.bias = bias;
        this.std = std;
    }

    /**
     * The prefix of its weight names.
     *
     * @return the name, e.g. {@code transformer.h.0.attn.c_proj}
     */
    public String name() {
        return name;
    }

    /**
     * The weight, then the bias if any.
     *
     * @return one or two specs
     */
    public List<ParameterSpec> parameterSpecs() {
        ParameterSpec w = ParameterSpec.normal(name + ".weight", Shape.of(out, in), std);
        return bias ? List.of(w, ParameterSpec.zeros(name + ".bias", Shape.of(out))) : List.of(w);
    }

    /**
     * {@code x Wᵀ + b}, and the adapter's branch when {@code p} carries one for this layer ({@link AdaptedParameters}).
     *
     * @param ops the backend's ops
     * @param p the weights
     * @param x {@code [..., in]}
     * @return {@code [..., out]}
     */
    public Tensor forward(Ops ops, Parameters p, Tensor x) {
        Tensor y = ops.linear(x, p.get(name + ".weight"), bias ? p.get(name + ".bias") : null);
        return p instanceof AdaptedParameters a ? a.adapt(ops, name, x, y) : y;
    }
}
