package org.transformer4j.onnx;

import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.cpu.CpuBackend;

/** The reference engine that the ONNX tests hold ONNX Runtime against: backend-cpu with one thread. */
final class CpuReference {
    private CpuReference() {
    }

    static TrainingEngine open() {
        return new CpuBackend().open(EngineOptions.defaults().withThreads(1));
    }
}
