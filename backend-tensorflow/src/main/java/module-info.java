/**
 * The TensorFlow Java backend ({@code tensorflow}): trains and infers in graph mode, on the CPU or a CUDA GPU. Only
 * the backend's entry point is exported. TensorFlow Java's API jar is the named module {@code tensorflow}; its
 * native jar ({@code tensorflow-core-native}, per platform) comes with it.
 */
module org.transformer4j.tensorflow {
    requires transitive org.transformer4j.api;
    requires tensorflow;

    exports org.transformer4j.tensorflow;

    provides org.transformer4j.backend.Backend with org.transformer4j.tensorflow.TensorFlowBackend;
}
