package org.transformer4j.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.ExportingEngine;
import org.transformer4j.backend.ServingEngine;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.CharTokenizer;

/** A tiny real GPT model directory (random weights, scaled so greedy choices are clear) and its ONNX export. */
final class TinyModels {
    static final String TEXT = "ROMEO: what light through yonder window breaks?\nUser: hi there, Assistant JULIET!\n";

    private TinyModels() {
    }

    /** Writes the model directory {@code dir} (named by its last path element). */
    static Path gpt(Path dir, int context) throws IOException {
        CharTokenizer chars = CharTokenizer.fromText(TEXT);
        GptConfig config = GptConfig.builder().vocabSize(chars.vocabSize()).contextLength(context).layers(2).heads(2)
                .embeddingDim(16).build();
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        Initializer.initialize(new GptModel(config).parameterSpecs(), 7).forEach((name, t) -> {
            float[] f = t.floats().clone();
            for (int i = 0; i < f.length; i++) {
                f[i] *= name.contains("norm") || name.contains("ln_") ? 1f : 12f;
            }
            weights.put(name, HostTensor.ofFloats(t.shape(), f));
        });
        new ModelDirectory(config, weights, chars).save(dir);
        return dir;
    }

    /** Exports {@code model} to {@code out} through whichever backend exports (found through the SPI). */
    static Path onnx(Path model, Path out) throws IOException {
        ModelDirectory dir = ModelDirectory.load(model);
        try (ServingEngine serving = Backends.openServing(null, EngineOptions.defaults().withThreads(1))) {
            serving.capability(ExportingEngine.class).orElseThrow().export(dir.config(), dir.weights(),
                    dir.tokenizer(), out);
        }
        return out;
    }

}
