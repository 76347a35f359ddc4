package org.transformer4j.nn.layers;

import java.util.ArrayList;
import java.util.List;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Tensor;

/**
 * The SwiGLU MLP of Llama-family models: {@code down(silu(gate(x)) · up(x))}, with HF's names
 * {@code <name>.gate_proj [F, C]}, {@code <name>.up_proj [F, C]} and {@code <name>.down_proj [C, F]}
 * (biases only with {@code mlp_bias}).
 */
public final class GatedFeedForward {
    private final Linear gate;
    private final Linear up;
    private final Linear down;

    /**
     * The three projections of one MLP.
     *
     * @param name  prefix, e.g. {@code model.layers.0.mlp}
     * @param dim   model width C
     * @param inner the MLP's width F ({@code intermediate_size})
     * @param bias  whether the three projections have biases
     * @param std   init standard deviation of the weights
     */
    public GatedFeedForward(String name, int dim, int inner, boolean bias, float std) {
        this.gate = new Linear(name + ".gate_proj", dim, inner, bias, std);
        this.up = new Linear(name + ".up_proj", dim, inner, bias, std);
        this.down = new Linear(name + ".down_proj", inner, dim, bias, std);
    }

    /** {@return the weights (and biases) of gate_proj, up_proj and down_proj, in that order} */
    public List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>(gate.parameterSpecs());
        specs.addAll(up.parameterSpecs());
        specs.addAll(down.parameterSpecs());
        return specs;
    }

    /**
     * {@code down(silu(gate(x)) · up(x))}.
     *
     * @param ops the backend's ops
     * @param p   the weights
     * @param x   {@code [..., C]}
     * @return {@code [..., C]}
     */
    public Tensor forward(Ops ops, Parameters p, Tensor x) {
        return down.forward(ops, p, ops.multiply(ops.silu(gate.forward(ops, p, x)), up.forward(ops, p, x)));
    }
}
