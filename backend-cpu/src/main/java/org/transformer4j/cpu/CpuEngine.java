package org.transformer4j.cpu;

import java.util.Map;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.backend.WeightPrecision;
import org.transformer4j.cpu.kernel.Parallelism;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.TrainingProgram;

/** An opened CPU backend: its thread pool, inference ops and training programs. */
final class CpuEngine implements TrainingEngine {
    private final Parallelism par;
    private final EngineOptions options;
    private final CpuOps inference;

    CpuEngine(EngineOptions options) {
        this.options = options;
        this.par = Parallelism.of(options.effectiveThreads());
        this.inference = new CpuOps(par, null, 0L);
    }

    @Override
    public String backendName() {
        return CpuBackend.NAME;
    }

    @Override
    public Ops inferenceOps() {
        return inference;
    }

    @Override
    public LoadedWeights load(Map<String, HostTensor> weights) {
        return CpuWeights.wrap(weights, WeightPrecision.FLOAT32);
    }

    /** {@inheritDoc} {@link WeightPrecision#BF16} stores every weight matrix as bfloat16 (see {@link CpuWeights}). */
    @Override
    public LoadedWeights load(Map<String, HostTensor> weights, WeightPrecision precision) {
        return CpuWeights.wrap(weights, precision);
    }

    @Override
    public TrainingProgram compileTraining(TrainableModel model, Map<String, HostTensor> weights) {
        return new CpuTrainingProgram(model, weights, par, options.seed());
    }

    /** Threads used by the kernels. */
    int threads() {
        return par.threads();
    }

    @Override
    public void close() {
        par.close();
    }
}
