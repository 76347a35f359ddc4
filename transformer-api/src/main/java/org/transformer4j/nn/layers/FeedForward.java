package org.transformer4j.nn.layers;

import java.util.ArrayList;
import java.util.List;
import org.transformer4j.nn.Activation;
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

    /**
     * A network {@code dim -> hidden -> dim}.
     *
     * @param upName the first layer's weight prefix
     * @param downName the second layer's weight prefix
     * @param dim the model width
     * @param hidden the inner width
     * @param bias whether both layers have biases
     * @param activation the non-linearity
     * @param downStd the init std of the second layer (nanoGPT scales it by 1/sqrt(2·layers))
     */
    public FeedForward(String upName, String downName, int dim, int hidden, boolean bias, Activation activation, float downStd) {
        this.up = new Linear(upName, dim, hidden, bias, 0.02f);
        this.down = new Linear(downName, hidden, dim, bias, downStd);
        this.activation = activation;
    }

    /**
     * Both layers' weights.
     *
     * @return the specs, first layer first
     */
    public List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>(up.parameterSpecs());
        specs.addAll(down.parameterSpecs());
        return specs;
    }

    /**
     * The network applied to every position.
     *
     * @param ops the backend's ops
     * @param p the weights
     * @param x {@code [..., dim]}
     * @return {@code [..., dim]}
     */
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
