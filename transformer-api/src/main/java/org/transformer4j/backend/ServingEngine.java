package org.transformer4j.backend;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The capability to serve exported graphs: an engine that runs a model exported to a graph format (ONNX) instead of
 * the {@link org.transformer4j.nn.Ops} composition. It recognises directories in its format and opens them.
 */
public interface ServingEngine extends Engine {

    /**
     * True when {@code dir} holds a model in this engine's exported format (e.g. {@code model.onnx}).
     *
     * @param dir a directory
     * @return whether {@link #open} can serve it
     */
    boolean isExportedModel(Path dir);

    /**
     * Opens the exported model in {@code dir} with this engine's device and threads; close it to free it.
     *
     * @param dir the exported model's directory
     * @return the model; the caller closes it
     * @throws IOException when the files cannot be read or are not an exported model of this format (the message
     *                     says which file and what to do)
     */
    ExportedModel open(Path dir) throws IOException;
}
