package org.transformer4j.backend;

import java.util.Map;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.TrainingProgram;

/** The capability to train (gradients and the optimizer step), on top of inferring from weights. */
public interface TrainingEngine extends InferenceEngine {

    /**
     * Prepares training of {@code model} from {@code weights}: the CPU backend records a tape per step,
     * TensorFlow traces a graph once.
     *
     * @param model   the model to train, composed over {@link org.transformer4j.nn.Ops}
     * @param weights the initial weights by name
     * @return the training program; the caller closes it
     */
    TrainingProgram compileTraining(TrainableModel model, Map<String, HostTensor> weights);
}
