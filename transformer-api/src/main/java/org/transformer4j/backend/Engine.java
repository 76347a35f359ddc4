package org.transformer4j.backend;

import java.util.Map;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.TrainingProgram;

/**
 * An opened backend: the entry point for running models. Holds thread pools, native sessions or
 * devices, so it is {@link AutoCloseable}. Operations a backend does not support throw
 * {@link UnsupportedOperationException} naming the backend and what to use instead.
 */
public interface Engine extends AutoCloseable {

    /** The backend's name, e.g. {@code cpu}. */
    String backendName();

    /** Ops for inference (no gradients, no dropout). */
    Ops inferenceOps();

    /** Uploads weights for inference with {@link #inferenceOps()}. */
    LoadedWeights load(Map<String, HostTensor> weights);

    /**
     * Prepares training of {@code model} from {@code weights}: the CPU backend records a tape per step,
     * TensorFlow traces a graph once.
     */
    TrainingProgram compileTraining(TrainableModel model, Map<String, HostTensor> weights);

    @Override
    void close();
}
