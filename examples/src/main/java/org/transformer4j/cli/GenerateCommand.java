package org.transformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.TextGenerator;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code generate}: continues a prompt with a GPT model directory, streaming tokens to the terminal. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt with a GPT model directory.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory (config.json, model.safetensors, tokenizer.json)")
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
    @Option(names = "--backend", description = "backend name (default: selection rules)") String backend;
    @Option(names = "--threads", defaultValue = "0") int threads;

    @Override
    public Integer call() throws Exception {
        ModelDirectory dir = ModelDirectory.load(model);
        if (!(dir.config() instanceof GptConfig config)) {
            throw new IllegalArgumentException(model + " holds a " + dir.config().modelType()
                    + " model; use 'translate' for encoder-decoder models");
        }
        Tokenizer tokenizer = dir.tokenizer();
        Set<Integer> eos = tokenizer.eosId().isPresent() ? Set.of(tokenizer.eosId().getAsInt()) : Set.of();
        List<String> stopStrings = stops == null ? List.of() : stops;
        GenerationOptions options = new GenerationOptions(maxTokens, temperature, topK, topP, seed, eos, stopStrings, crop);
        try (Engine engine = Backends.open(backend, new EngineOptions(threads, null, seed));
             LoadedWeights weights = engine.load(dir.weights())) {
            GptGenerator generator = new GptGenerator(new GptModel(config), engine, weights);
            System.out.print(prompt);
            new TextGenerator(generator, tokenizer).generate(prompt, options, piece -> {
                System.out.print(piece);
                System.out.flush();
            });
            System.out.println();
        }
        return 0;
    }
}
