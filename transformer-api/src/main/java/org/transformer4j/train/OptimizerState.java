package org.transformer4j.train;

import java.util.Map;
import org.transformer4j.tensor.HostTensor;

/**
 * AdamW's state for exact resume: the number of steps taken and the first and second moments of every
 * parameter, keyed by parameter name.
 *
 * @param step the number of steps taken
 * @param m the first moments by parameter name
 * @param v the second moments by parameter name
 */
public record OptimizerState(long step, Map<String, HostTensor> m, Map<String, HostTensor> v) {
    /** Copies both maps. */
    public OptimizerState {
        m = Map.copyOf(m);
        v = Map.copyOf(v);
    }
}
