package org.transformer4j.backend;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * The capability to export: writes a model (config and weights, as in a model directory) in this engine's graph
 * format, so that a {@link ServingEngine} of the same backend, or any other runtime of the format, serves it.
 */
public interface ExportingEngine extends Engine {

    /**
     * The format written, e.g. {@code onnx}.
     *
     * @return the format's name
     */
    String exportFormat();

    /**
     * Writes the model into {@code outDir} (created if missing), each file atomically.
     *
     * @param tokenizer stored with the graph when not null, so the export is self-contained
     * @param config  the architecture
     * @param weights the weights by name, as in {@code model.safetensors}
     * @param outDir  where the files go
     * @return the files written
     * @throws java.io.IOException when a file cannot be written; files already written are complete (each is written atomically)
     */
    List<Path> export(ModelConfig config, Map<String, HostTensor> weights, Tokenizer tokenizer, Path outDir)
            throws IOException;
}
