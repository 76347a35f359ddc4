package org.transformer4j.backend;

import java.util.Map;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;

/**
 * The capability to infer from weights: an engine that runs the {@link Ops} composition (every model of
 * {@code org.transformer4j.model}) on inference ops with weights it loads. The cpu and tensorflow engines have it.
 */
public interface InferenceEngine extends Engine {

    /**
     * Ops for inference (no gradients, no dropout).
     *
     * @return the ops; valid until the engine is closed
     */
    Ops inferenceOps();

    /**
     * Uploads weights for inference with {@link #inferenceOps()}; close them to free them.
     *
     * @param weights the weights by name, on the host
     * @return the weights on this engine's device, as the models' parameters
     */
    LoadedWeights load(Map<String, HostTensor> weights);

    /**
     * {@link #load(Map)} with the weight matrices stored at {@code precision}. This default keeps float32 only and
     * refuses any other precision (naming this backend); engines with reduced-precision kernels override it.
     *
     * @param weights   the weights by name, on the host
     * @param precision how the weight matrices are stored on the device
     * @return the weights on this engine's device, as the models' parameters
     * @throws UnsupportedOperationException for a precision this engine does not implement
     */
    default LoadedWeights load(Map<String, HostTensor> weights, WeightPrecision precision) {
        if (precision == WeightPrecision.FLOAT32) {
            return load(weights);
        }
        throw new UnsupportedOperationException("backend '" + backendName() + "' keeps inference weights in float32"
                + " only, not " + precision + "; leave the weight precision at FLOAT32 or run on the cpu backend");
    }
}
