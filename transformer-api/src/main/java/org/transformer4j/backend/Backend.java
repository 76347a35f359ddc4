package org.transformer4j.backend;

/**
 * The service-provider interface of a compute backend, found with {@link java.util.ServiceLoader}
 * (list the implementation in {@code META-INF/services/org.transformer4j.backend.Backend}).
 * Implementations must have a public no-argument constructor that does no heavy work: native
 * libraries are loaded in {@link #availability()} or {@link #open}, never in the constructor.
 */
public interface Backend {

    /** Short, unique, lower-case name used in configuration: {@code cpu}, {@code tensorflow}, {@code onnx}. */
    String name();

    /** Higher wins when no backend is named; the embedded CPU backend uses 100. */
    int priority();

    /** What this backend can do. */
    Capabilities capabilities();

    /** Probes whether this backend can run here; must not throw. */
    Availability availability();

    /** Opens an engine; fails with a clear message if the backend is not available. */
    Engine open(EngineOptions options);
}
