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

    public static Tensor apply(Ops ops, Parameters p, NormPlacement placement, LayerNorm norm, float dropout,
                               Tensor x, UnaryOperator<Tensor> sublayer) {
        if (placement == NormPlacement.PRE) {
            return ops.add(x, ops.dropout(sublayer.apply(norm.forward(ops, p, x)), dropout));
        }
        return norm.forward(ops, p, ops.add(x, ops.dropout(sublayer.apply(x), dropout)));
    }
}
