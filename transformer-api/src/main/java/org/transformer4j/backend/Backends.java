package org.transformer4j.backend;

import java.util.List;

/**
 * The front door to the compute backends on the classpath: lists them and picks one, following the
 * precedence order documented on {@link BackendRegistry} (name in code, system property
 * {@code transformer4j.backend}, environment variable {@code TRANSFORMER4J_BACKEND},
 * {@code transformer4j.properties} key {@code backend}, else the highest-priority available backend).
 *
 * <p>Each call discovers afresh with the thread's context class loader (or this class's loader when there
 * is none), so a changed system property is seen by the next call. Keep a {@link BackendRegistry} to
 * discover once.
 */
public final class Backends {

    private Backends() {
    }

    /**
     * The registry over the real sources, as seen from the current thread.
     *
     * @return a registry that has discovered the backends this thread's class loader sees
     */
    public static BackendRegistry registry() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return BackendRegistry.fromClassLoader(cl != null ? cl : Backends.class.getClassLoader());
    }

    /**
     * Every backend found, highest priority first, with capabilities, availability and implementing class.
     *
     * @return the listing, including providers that could not be instantiated
     */
    public static List<BackendInfo> list() {
        return registry().list();
    }

    /**
     * The backend to use: {@code name} when not null or blank, else the configured one, else the best available.
     *
     * @param name the name given in code, or null/blank to consult the other sources
     * @return the backend and why it was chosen
     * @throws BackendNotFoundException naming the source of the name and listing every backend found
     */
    public static BackendChoice select(String name) {
        return registry().select(name);
    }

    /**
     * As {@link #select(String)}, for a backend that meets {@code requirement} (e.g. one that trains).
     *
     * @param name the name given in code, or null/blank to consult the other sources
     * @param requirement what the backend must be able to do
     * @return the backend and why it was chosen
     */
    public static BackendChoice select(String name, BackendRequirement requirement) {
        return registry().select(name, requirement);
    }

    /**
     * Selects a backend as {@link #select(String)} does and opens an engine on it.
     *
     * @param name the name given in code, or null/blank to consult the other sources
     * @param options threads, device and seed for the engine
     * @return an open engine; the caller closes it
     */
    public static Engine open(String name, EngineOptions options) {
        return registry().open(name, BackendRequirement.ANY, options);
    }

    /**
     * Selects a backend that meets {@code requirement} and opens an engine on it.
     *
     * @param name the name given in code, or null/blank to consult the other sources
     * @param requirement what the backend must be able to do
     * @param options threads, device and seed for the engine
     * @return an open engine of the requirement's engine type; the caller closes it
     */
    public static Engine open(String name, BackendRequirement requirement, EngineOptions options) {
        return registry().open(name, requirement, options);
    }

    /**
     * Opens an engine that infers from weights (the cpu or tensorflow backend, by the selection rules).
     *
     * @param name the name given in code, or null/blank to consult the other sources
     * @param options threads, device and seed for the engine
     * @return an open engine; the caller closes it
     */
    public static InferenceEngine openInference(String name, EngineOptions options) {
        return registry().openInference(name, options);
    }

    /**
     * Opens an engine that trains (by the selection rules, among the backends that train).
     *
     * @param name the name given in code, or null/blank to consult the other sources
     * @param options threads, device and seed for the engine
     * @return an open engine; the caller closes it
     */
    public static TrainingEngine openTraining(String name, EngineOptions options) {
        return registry().openTraining(name, options);
    }

    /**
     * Opens an engine that serves exported graphs (the onnx backend, by the selection rules).
     *
     * @param name the name given in code, or null/blank to consult the other sources
     * @param options threads, device and seed for the engine
     * @return an open engine; the caller closes it
     */
    public static ServingEngine openServing(String name, EngineOptions options) {
        return registry().openServing(name, options);
    }
}
