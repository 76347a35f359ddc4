package org.transformer4j.backend;

import org.transformer4j.nn.Parameters;

/** Weights uploaded into a backend for inference; close it to free native memory. */
public interface LoadedWeights extends Parameters, AutoCloseable {
    @Override
    void close();
}
