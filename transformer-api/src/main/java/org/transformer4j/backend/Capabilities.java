package org.transformer4j.backend;

import java.util.List;

/**
 * What a backend can do, before an engine is opened: train (gradients and optimizer; its engines are
 * {@link TrainingEngine}s), infer from weights (the {@link org.transformer4j.nn.Ops} composition;
 * {@link InferenceEngine}), serve exported graphs ({@link ServingEngine}, usually also {@link ExportingEngine}), and
 * on which devices ({@code cpu}, {@code gpu:0}...).
 *
 * @param trains         its engines train
 * @param infers         its engines infer from weights
 * @param servesExported its engines serve (and export) graphs
 * @param devices        the devices it can run on
 */
public record Capabilities(boolean trains, boolean infers, boolean servesExported, List<String> devices) {
    /** Copies the device list, so the record cannot change. */
    public Capabilities {
        devices = List.copyOf(devices);
    }

    /**
     * A backend that trains and/or infers from weights and serves no exported graphs.
     *
     * @param trains  its engines train
     * @param infers  its engines infer from weights
     * @param devices the devices it can run on
     */
    public Capabilities(boolean trains, boolean infers, List<String> devices) {
        this(trains, infers, false, devices);
    }

    @Override
    public String toString() {
        return (trains ? "trains" : "no training") + ", " + (infers ? "infers from weights" : "no inference from weights")
                + (servesExported ? ", serves exported graphs" : "") + ", devices " + devices;
    }
}
