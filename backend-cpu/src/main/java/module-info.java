/**
 * The pure-Java SIMD backend ({@code cpu}): trains and infers on heap arrays with the Vector API. Only the backend's
 * entry point is exported; the kernels ({@code org.transformer4j.cpu.kernel}) are its implementation.
 */
module org.transformer4j.cpu {
    requires transitive org.transformer4j.api;
    requires jdk.incubator.vector;
    requires jdk.management;

    exports org.transformer4j.cpu;

    provides org.transformer4j.backend.Backend with org.transformer4j.cpu.CpuBackend;
}
