package org.transformer4j.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.ExportedModel;
import org.transformer4j.backend.ExportingEngine;
import org.transformer4j.backend.ServingEngine;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.generate.Seq2SeqRuntime;
import org.transformer4j.io.TempDirectories;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.tensor.HostTensor;

/**
 * A case's model exported by a serving engine to a temporary directory and opened from there as users open it, so
 * the cases check the exported graphs and the serving code; closing it deletes the directory.
 */
final class Served implements AutoCloseable {
    private final ExportedModel model;
    private final Path dir;

    private Served(ExportedModel model, Path dir) {
        this.model = model;
        this.dir = dir;
    }

    /** Exports {@code weights} of {@code config} with {@code engine} and opens the export. */
    static Served export(Engine engine, ModelConfig config, Map<String, HostTensor> weights) throws IOException {
        Path dir = Files.createTempDirectory("transformer4j-served-");
        try {
            ((ExportingEngine) engine).export(config, weights, null, dir);
            return new Served(((ServingEngine) engine).open(dir), dir);
        } catch (IOException | RuntimeException e) {
            TempDirectories.deleteQuietly(dir);
            throw e;
        }
    }

    GptRuntime gpt() {
        return model.gpt().orElseThrow(() -> new IllegalStateException("the export of a GPT opened as "
                + model.config().modelType()));
    }

    Seq2SeqRuntime seq2seq() {
        return model.seq2seq().orElseThrow(() -> new IllegalStateException("the export of an encoder-decoder opened as "
                + model.config().modelType()));
    }

    @Override
    public void close() {
        try {
            model.close();
        } finally {
            TempDirectories.deleteQuietly(dir);
        }
    }
}
