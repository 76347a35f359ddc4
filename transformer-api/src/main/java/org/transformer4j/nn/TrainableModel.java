package org.transformer4j.nn;

import java.util.List;
import java.util.Map;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;

/**
 * What a backend needs to train a model: the weights it declares, the names of the batch tensors it
 * reads, and its loss written once against {@link Ops}. {@code GptModel} and {@code Seq2SeqModel}
 * implement it; backends call {@link #loss} eagerly (CPU) or once to trace a graph (TensorFlow).
 */
public interface TrainableModel {

    /**
     * Every trained weight, in a stable order (the checkpoint's order).
     *
     * @return the parameter specs
     */
    List<ParameterSpec> parameterSpecs();

    /**
     * Weights the loss reads but that are not trained (LoRA's frozen base model): a training program holds them once
     * as they are (the cpu backend wraps these arrays, tensorflow uploads them once into variables), gives them no
     * gradient and no optimizer state, and serves them through the same {@link Parameters} as the trained ones. They
     * are not part of the program's {@code weights()} and must not share a name with a trained weight.
     *
     * @return the frozen weights by name; empty (the default) when every weight is trained
     */
    default Map<String, HostTensor> frozenWeights() {
        return Map.of();
    }

    /**
     * Names of the batch tensors {@link #loss} reads, e.g. {@code input_ids}, {@code targets}.
     *
     * @return the names
     */
    List<String> inputNames();

    /**
     * The scalar training loss for one batch.
     *
     * @param ops the backend's training ops
     * @param params the weights
     * @param inputs the batch's tensors by {@link #inputNames()}
     * @return the mean loss, a scalar
     */
    Tensor loss(Ops ops, Parameters params, Map<String, Tensor> inputs);
}
