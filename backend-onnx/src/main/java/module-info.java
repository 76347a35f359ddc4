/**
 * The ONNX Runtime backend ({@code onnx}): serves exported {@code .onnx} models and exports models to ONNX. The
 * serving API ({@code org.transformer4j.onnx}) is exported; the exporter ({@code org.transformer4j.onnx.export}) is
 * reached through {@link org.transformer4j.backend.ExportingEngine}. ONNX Runtime's jar is the automatic module
 * {@code com.microsoft.onnxruntime} (its manifest's name); Tribuo's ONNX protobuf classes and protobuf-java are
 * automatic modules named after their jars' manifests.
 */
@SuppressWarnings("requires-automatic") // ONNX Runtime, Tribuo and protobuf-java name themselves in their manifests
module org.transformer4j.onnx {
    requires transitive org.transformer4j.api;
    requires com.microsoft.onnxruntime;
    requires org.tribuo.util.onnx;
    requires com.google.protobuf;

    exports org.transformer4j.onnx;

    provides org.transformer4j.backend.Backend with org.transformer4j.onnx.OnnxBackend;
}
