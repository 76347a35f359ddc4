package org.transformer4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.TextGenerator;
import org.transformer4j.generate.TokenGenerator;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.onnx.OnnxBackend;
import org.transformer4j.onnx.OnnxEngine;
import org.transformer4j.onnx.OnnxGptGenerator;
import org.transformer4j.onnx.OnnxModel;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code generate}: continues a prompt with a GPT, streaming tokens to the terminal. The model is a model directory
 * run on a backend, or an exported {@code model.onnx} (a directory holding one, written by {@code export}) run by
 * ONNX Runtime; both decode through the same {@link TextGenerator} loop, so their output is the same.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Continue a prompt with a GPT model directory, or with an exported model.onnx (served by ONNX Runtime).",
                "A directory holding model.onnx runs on ONNX Runtime unless --backend names another backend."})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true,
            description = "model directory (config.json, model.safetensors, tokenizer.json) or a directory holding model.onnx")
    Path model;

    @Option(names = "--prompt", defaultValue = "\n", description = "text to continue (default: a newline)")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "500") int maxTokens;
    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy (default: ${DEFAULT-VALUE})") float temperature;
    @Option(names = "--top-k", defaultValue = "200", description = "0 = no limit (default: ${DEFAULT-VALUE})") int topK;
    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus sampling mass, 1 = off (default: ${DEFAULT-VALUE})") float topP;
    @Option(names = "--seed", defaultValue = "1337") long seed;
    @Option(names = "--stop", description = "stop when the text ends with this string (repeatable)") List<String> stops;
    @Option(names = "--crop-prompt", description = "keep only the last context-length tokens of a long prompt instead of failing") boolean crop;
    @Option(names = "--backend", description = "backend name (default: onnx for a directory holding model.onnx, else the selection rules)")
    String backend;
    @Option(names = "--threads", defaultValue = "0") int threads;

    @Override
    public Integer call() throws Exception {
        Path onnxFile = model.resolve("model.onnx");
        boolean onnx = OnnxBackend.NAME.equals(backend) || (backend == null && Files.isRegularFile(onnxFile));
        try (Engine engine = Backends.open(onnx ? OnnxBackend.NAME : backend, new EngineOptions(threads, null, seed))) {
            if (onnx) {
                if (!Files.isRegularFile(onnxFile)) {
                    throw new IllegalArgumentException(model + " holds no model.onnx; export it first "
                            + "(transformer4j export --model " + model + " --out DIR), then generate with --model DIR");
                }
                try (OnnxModel served = ((OnnxEngine) engine).openGpt(onnxFile)) {
                    return generate(new OnnxGptGenerator(served), onnxTokenizer(served));
                }
            }
            ModelDirectory dir = ModelDirectory.load(model);
            if (!(dir.config() instanceof GptConfig config)) {
                throw new IllegalArgumentException(model + " holds a " + dir.config().modelType()
                        + " model; use 'translate' for encoder-decoder models");
            }
            try (LoadedWeights weights = engine.load(dir.weights())) {
                return generate(new GptGenerator(new GptModel(config), engine, weights), dir.tokenizer());
            }
        }
    }

    /** Prints the prompt, then the continuation piece by piece as it is generated. */
    private int generate(TokenGenerator generator, Tokenizer tokenizer) {
        Set<Integer> eos = tokenizer.eosId().isPresent() ? Set.of(tokenizer.eosId().getAsInt()) : Set.of();
        List<String> stopStrings = stops == null ? List.of() : stops;
        GenerationOptions options = new GenerationOptions(maxTokens, temperature, topK, topP, seed, eos, stopStrings, crop);
        System.out.print(prompt);
        new TextGenerator(generator, tokenizer).generate(prompt, options, piece -> {
            System.out.print(piece);
            System.out.flush();
        });
        System.out.println();
        return 0;
    }

    /** The tokenizer stored in the exported file, else the directory's tokenizer.json. */
    private Tokenizer onnxTokenizer(OnnxModel served) throws IOException {
        Optional<Tokenizer> stored = served.tokenizer();
        if (stored.isPresent()) {
            return stored.get();
        }
        Path json = model.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException(served.file() + " was exported without a tokenizer and " + model
                    + " holds no tokenizer.json; put the model's tokenizer.json next to it or export the model directory"
                    + " again (export stores its tokenizer)");
        }
        return Tokenizers.load(json);
    }
}
