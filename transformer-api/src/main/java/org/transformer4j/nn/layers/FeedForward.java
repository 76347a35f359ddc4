package org.transformer4j.nn.layers;

import java.util.ArrayList;
import java.util.List;
import org.transformer4j.model.Activation;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Tensor;

/**
 * The position-wise feed-forward network {@code fc2(act(fc1(x)))} with GELU (exact or tanh) or ReLU. Weight names are
 * given by the caller: nanoGPT's {@code mlp.c_fc}/{@code mlp.c_proj} or the encoder-decoder's
 * {@code fc1}/{@code fc2}.
 */
public final class FeedForward {
    private final Linear up;
    private final Linear down;
    private final Activation activation;

    public FeedForward(String upName, String downName, int dim, int hidden, boolean bias, Activation activation, float downStd) {
        this.up = new Linear(upName, dim, hidden, bias, 0.02f);
        this.down = new Linear(downName, hidden, dim, bias, downStd);
        this.activation = activation;
    }

    public List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>(up.parameterSpecs());
        specs.addAll(down.parameterSpecs());
        return specs;
    }

    public Tensor forward(Ops ops, Parameters p, Tensor x) {
        Tensor h = up.forward(ops, p, x);
        h = switch (activation) {
            case GELU -> ops.gelu(h);
            case GELU_TANH -> ops.geluTanh(h);
            case RELU -> ops.relu(h);
        };
        return down.forward(ops, p, h);
    }
}
