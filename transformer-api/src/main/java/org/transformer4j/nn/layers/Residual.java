package org.transformer4j.nn.layers;

import java.util.function.UnaryOperator;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Tensor;

/**
 * One residual sub-layer with its norm, in either placement:
 * pre-LN {@code x + dropout(f(norm(x)))} or post-LN {@code norm(x + dropout(f(x)))}.
 */
public final class Residual {
    private Residual() {
    }

    /**
     * The sub-layer {@code sublayer} applied to {@code x} with its norm, dropout and residual sum.
     *
     * @param ops the backend's ops
     * @param p the weights
     * @param placement before the sub-layer (pre-LN) or after the sum (post-LN)
     * @param norm the sub-layer's norm
     * @param dropout the drop probability of the sub-layer's output
     * @param x the input {@code [B, T, C]}
     * @param sublayer attention or the feed-forward network
     * @return {@code [B, T, C]}
     */
    public static Tensor apply(Ops ops, Parameters p, NormPlacement placement, LayerNorm norm, float dropout,
                               Tensor x, UnaryOperator<Tensor> sublayer) {
        if (placement == NormPlacement.PRE) {
            return ops.add(x, ops.dropout(sublayer.apply(norm.forward(ops, p, x)), dropout));
        }
        return norm.forward(ops, p, ops.add(x, ops.dropout(sublayer.apply(x), dropout)));
    }
}
