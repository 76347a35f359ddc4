package org.transformer4j.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.transformer4j.backend.BackendInfo;
import org.transformer4j.backend.BackendNotFoundException;
import org.transformer4j.backend.BackendRegistry;
import org.transformer4j.backend.BackendRequirement;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.ExportedModel;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.backend.ServingEngine;
import org.transformer4j.backend.WeightPrecision;
import org.transformer4j.generate.OpsGptRuntime;
import org.transformer4j.generate.OpsSeq2SeqRuntime;
import org.transformer4j.lora.LoraAdapter;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.tokenizer.Tokenizers;

/**
 * Opens a directory as a {@link LanguageModel}: reads what it holds, picks the backend through the SPI (never naming a
 * backend class) and builds the runtime. A weights directory ({@code config.json}) asks first for a backend that
 * infers from weights; an exported directory, or a named backend that only serves exported graphs, for one that
 * serves them and recognises the files.
 */
final class ModelOpener {
    private ModelOpener() {
    }

    static LanguageModel open(Path dir, String backend, String device, int threads, long seed, Path adapter,
                              WeightPrecision precision) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a directory: give a model directory (config.json, "
                    + "model.safetensors, tokenizer.json) or an exported one (model.onnx, or encoder.onnx and decoder.onnx)");
        }
        EngineOptions options = new EngineOptions(threads, device, seed);
        BackendRegistry registry = Backends.registry();
        // config.json with weights is a weights directory; config.json beside an exported graph alone (a Hugging Face
        // ONNX directory: model.onnx + config.json + tokenizer.json) only describes that graph
        boolean weights = Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG))
                && (Files.isRegularFile(dir.resolve(ModelDirectory.WEIGHTS))
                || Files.isRegularFile(dir.resolve(org.transformer4j.io.SafetensorsShards.INDEX)));
        List<BackendNotFoundException> refusals = new ArrayList<>();
        if (weights) {
            InferenceEngine inference = null;
            try {
                // one selection: the registry selects and opens on what it selected, with its capability check
                inference = (InferenceEngine) registry.open(backend, BackendRequirement.INFERENCE, options);
            } catch (BackendNotFoundException e) {
                refusals.add(e);
            }
            if (inference != null) {
                return fromWeights(dir, info(registry, inference), inference, device, adapter, precision);
            }
        }
        if (adapter != null) {
            throw new IllegalArgumentException("a LoRA adapter (" + adapter + ") applies to a model directory's weights, "
                    + "but " + (weights ? "no backend that infers from weights is available" : dir + " holds no "
                    + ModelDirectory.CONFIG) + "; merge the adapter into the model (transformer4j merge) and export "
                    + "the merged directory instead");
        }
        ServingEngine engine;
        try {
            engine = (ServingEngine) registry.open(backend, BackendRequirement.SERVING, options);
        } catch (BackendNotFoundException e) {
            refusals.add(e);
            throw new IllegalArgumentException(found(dir) + " and no backend can run it here:\n"
                    + refusals.stream().map(Throwable::getMessage).reduce((a, b) -> a + "\n" + b).orElse("")
                    + (weights ? "" : "\nTo fix: give a model directory with config.json (run from its weights by cpu or"
                    + " tensorflow), or put a backend that serves exported graphs (backend-onnx) on the classpath"),
                    refusals.get(0));
        }
        String serving = engine.backendName();
        try {
            if (precision != WeightPrecision.FLOAT32) {
                throw new IllegalArgumentException(found(dir) + ", served by '" + serving + "' from an exported graph,"
                        + " whose weights are the graph's: " + precision + " weights need a model directory run from"
                        + " its weights (config.json) on the cpu backend; leave the weight precision at FLOAT32");
            }
            if (!engine.isExportedModel(dir)) {
                throw new IllegalArgumentException(found(dir) + ": nothing backend '" + serving + "' can serve"
                        + (weights ? " (it does not infer from weights); export the model first (transformer4j export"
                                + " --model " + dir + " --out DIR) and open DIR, or name a backend that infers from"
                                + " weights (cpu, tensorflow)"
                                : "; give a model directory (config.json, model.safetensors, tokenizer.json) or an"
                                + " exported one"));
            }
            return fromExport(dir, serving, engine, device);
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /**
     * The listing of the backend that opened {@code engine} (a lookup in what discovery found, not a second
     * selection), or null when no listed backend carries the engine's name.
     */
    private static BackendInfo info(BackendRegistry registry, Engine engine) {
        String name = engine.backendName();
        return registry.list().stream().filter(i -> i.name().equalsIgnoreCase(name)).findFirst().orElse(null);
    }

    private static LanguageModel fromWeights(Path dir, BackendInfo info, InferenceEngine engine, String device,
                                             Path adapter, WeightPrecision precision) throws IOException {
        LoadedWeights weights = null;
        try {
            ModelDirectory model = ModelDirectory.load(dir);
            if (adapter != null) {
                model = LoraAdapter.load(adapter).merge(model); // the adapter-loading hook: merged before upload
            }
            weights = engine.load(model.weights(), precision);
            LoadedWeights w = weights;
            AutoCloseable resources = () -> closeBoth(w, engine);
            String dev = deviceName(device, info);
            String name = info != null ? info.name() : engine.backendName();
            return switch (model.config()) {
                case GptConfig g -> new LanguageModel(dir, g, model.tokenizer(), name, dev,
                        new OpsGptRuntime(new GptModel(g), engine.inferenceOps(), w), null, resources)
                        .withGenerationDefaults(model.generationDefaults());
                case Seq2SeqConfig s -> new LanguageModel(dir, s, model.tokenizer(), name, dev, null,
                        new OpsSeq2SeqRuntime(new Seq2SeqModel(s), engine.inferenceOps(), w), resources);
                case LlamaConfig l -> new LanguageModel(dir, l, model.tokenizer(), name, dev,
                        new OpsGptRuntime(new LlamaModel(l), engine.inferenceOps(), w), null, resources)
                        .withGenerationDefaults(model.generationDefaults());
            };
        } catch (IOException | RuntimeException e) {
            if (weights != null) {
                weights.close();
            }
            engine.close();
            throw e;
        }
    }

    private static LanguageModel fromExport(Path dir, String backend, ServingEngine engine, String device)
            throws IOException {
        ExportedModel model = engine.open(dir);
        try {
            Tokenizer tokenizer = tokenizer(dir, model);
            AutoCloseable resources = () -> closeBoth(model, engine);
            String dev = device != null ? device : "cpu";
            return new LanguageModel(dir, model.config(), tokenizer, backend, dev, model.gpt().orElse(null),
                    model.seq2seq().orElse(null), resources);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The tokenizer stored in the export, else the directory's tokenizer.json. */
    private static Tokenizer tokenizer(Path dir, ExportedModel model) throws IOException {
        Optional<Tokenizer> stored = model.tokenizer();
        if (stored.isPresent()) {
            return stored.get();
        }
        Path json = dir.resolve(ModelDirectory.TOKENIZER);
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException(dir + " holds an exported model stored without a tokenizer and no "
                    + ModelDirectory.TOKENIZER + "; put the model's tokenizer.json next to it, or export the model "
                    + "directory again (export stores its tokenizer)");
        }
        return Tokenizers.load(json);
    }

    private static String deviceName(String asked, BackendInfo info) {
        if (asked != null) {
            return asked;
        }
        var caps = info == null ? null : info.capabilities();
        return caps == null || caps.devices().isEmpty() ? "default" : caps.devices().get(0);
    }

    private static void closeBoth(AutoCloseable first, Engine engine) throws Exception {
        try (engine) {
            first.close();
        }
    }

    /** What {@code dir} holds, for messages. */
    private static String found(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().limit(12).toList();
            return dir + " holds " + (names.isEmpty() ? "no files" : String.join(", ", names));
        } catch (IOException e) {
            return dir + " (its files could not be listed: " + e.getMessage() + ")";
        }
    }
}
