package org.transformer4j.backend;

import java.util.Map;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;

/**
 * The capability to infer from weights: an engine that runs the {@link Ops} composition (every model of
 * {@code org.transformer4j.model}) on inference ops with weights it loads. The cpu and tensorflow engines have it.
 */
public interface InferenceEngine extends Engine {

    /** Ops for inference (no gradients, no dropout). */
    Ops inferenceOps();

    /** Uploads weights for inference with {@link #inferenceOps()}; close them to free them. */
    LoadedWeights load(Map<String, HostTensor> weights);
}
