package org.transformer4j.nn;

import java.util.List;
import java.util.Map;
import org.transformer4j.tensor.Tensor;

/**
 * What a backend needs to train a model: the weights it declares, the names of the batch tensors it
 * reads, and its loss written once against {@link Ops}. {@code GptModel} and {@code Seq2SeqModel}
 * implement it; backends call {@link #loss} eagerly (CPU) or once to trace a graph (TensorFlow).
 */
public interface TrainableModel {

    /**
     * Every weight, in a stable order (the checkpoint's order).
     *
     * @return the parameter specs
     */
    List<ParameterSpec> parameterSpecs();

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
