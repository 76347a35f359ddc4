package org.transformer4j.tensorflow;

import java.util.Map;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.TrainingProgram;

/**
 * An opened TensorFlow backend on one device: inference ops (graph mode, one small compiled graph per op, see
 * {@link TfInferenceOps}) and training programs (one graph per model, see {@link TfTrainingProgram}). Closing frees
 * the inference graphs; training programs and loaded weights are closed by their owners.
 */
final class TfEngine implements TrainingEngine {
    private final TfDevice device;
    private final long seed;
    private final TfKernels kernels;
    private final TfInferenceOps inference;

    TfEngine(TfDevice device, long seed) {
        this.device = device;
        this.seed = seed;
        this.kernels = new TfKernels(device);
        this.inference = new TfInferenceOps(kernels);
    }

    @Override
    public String backendName() {
        return TensorFlowBackend.NAME;
    }

    @Override
    public Ops inferenceOps() {
        return inference;
    }

    @Override
    public LoadedWeights load(Map<String, HostTensor> weights) {
        return new TfWeights(weights);
    }

    @Override
    public TrainingProgram compileTraining(TrainableModel model, Map<String, HostTensor> weights) {
        return new TfTrainingProgram(model, weights, device, seed);
    }

    /** The device the graphs run on, as users write it. */
    String device() {
        return device.name();
    }

    /** Number of compiled inference op graphs (for tests). */
    int compiledOps() {
        return kernels.size();
    }

    @Override
    public void close() {
        kernels.close();
    }
}
