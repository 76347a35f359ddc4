package org.transformer4j.backend;

import java.util.Optional;

/**
 * An opened backend: the entry point for running models. Holds thread pools, native sessions or devices, so it is
 * {@link AutoCloseable}. What an engine can do is told by the capability interfaces it implements, never by a method
 * that throws: {@link InferenceEngine} (runs the {@link org.transformer4j.nn.Ops} composition from weights),
 * {@link TrainingEngine} (also trains), {@link ServingEngine} (serves exported graphs) and {@link ExportingEngine}
 * (writes models in its graph format). Ask with {@link #capability(Class)} or {@code instanceof}; the backend's
 * {@link Capabilities} say the same before an engine is opened.
 */
public interface Engine extends AutoCloseable {

    /**
     * The backend's name, e.g. {@code cpu}.
     *
     * @return the name of the backend that opened it
     */
    String backendName();

    /**
     * This engine as {@code type} (one of the capability interfaces), or empty when it does not have that capability.
     *
     * @param <T>  the capability interface
     * @param type {@link InferenceEngine}, {@link TrainingEngine}, {@link ServingEngine} or {@link ExportingEngine}
     * @return this engine as {@code type}, or empty
     */
    default <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    @Override
    void close();
}
