/**
 * The conformance kit: cases that hold a backend to backend-cpu's results (every {@code Ops} method, whole models,
 * caches, generation, gradients, checkpoints, bad inputs) under documented tolerances, finite-difference gradient
 * checks, and {@link org.transformer4j.conformance.fixtures.TinyModels}, the tiny-model fixture every module's tests
 * use. Backends depend on it test-scoped; the CLI's {@code conformance} command at compile scope.
 */
module org.transformer4j.conformance {
    requires transitive org.transformer4j.api;
    requires com.fasterxml.jackson.databind; // the report as JSON

    exports org.transformer4j.conformance;
    exports org.transformer4j.conformance.fixtures;
}
