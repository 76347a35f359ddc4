package org.transformer4j.backend;

/**
 * The service-provider interface of a compute backend, found with {@link java.util.ServiceLoader}
 * (list the implementation in {@code META-INF/services/org.transformer4j.backend.Backend}).
 * Implementations must have a public no-argument constructor that does no heavy work: native
 * libraries are loaded in {@link #availability()} or {@link #open}, never in the constructor.
 */
public interface Backend {

    /**
     * Short, unique, lower-case name used in configuration: {@code cpu}, {@code tensorflow}, {@code onnx}.
     *
     * @return the name, unique among the backends on the class path
     */
    String name();

    /**
     * Higher wins when no backend is named; the embedded CPU backend uses 100.
     *
     * @return the priority; tensorflow has 50, onnx 30
     */
    int priority();

    /**
     * What this backend can do.
     *
     * @return its capabilities, known without loading native code
     */
    Capabilities capabilities();

    /**
     * Probes whether this backend can run here; must not throw.
     *
     * @return available, or unavailable with what is missing and the fix
     */
    Availability availability();

    /**
     * Opens an engine; fails with a clear message if the backend is not available.
     *
     * @param options threads, device and seed
     * @return the engine, implementing the capability interfaces the backend declares; the caller closes it
     */
    Engine open(EngineOptions options);
}
