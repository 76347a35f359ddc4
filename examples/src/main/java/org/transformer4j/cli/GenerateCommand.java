package org.transformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
/**
 * {@code generate}: continues a prompt with a GPT, streaming tokens to the terminal. The model is a model directory
 * run from its weights, or an exported directory ({@code model.onnx}, written by {@code export}) served by a backend
 * that serves exported graphs; both open through {@link LanguageModel} and decode through the same loops, so their
 * output is the same.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Continue a prompt with a GPT model directory, or with an exported model.onnx (served by ONNX Runtime).",
                "A directory without config.json but with model.onnx is served by a backend that serves exported graphs (onnx)."})
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
    @Option(names = "--backend", description = "backend name (default: the selection rules, among the backends that can run what the directory holds)")
    String backend;
    @Option(names = "--threads", defaultValue = "0") int threads;

    @Override
    public Integer call() throws Exception {
        try (LanguageModel lm = LanguageModel.builder(model).backend(backend).threads(threads).seed(seed).open()) {
            if (!lm.isGpt()) {
                throw new IllegalArgumentException(model + " holds a " + lm.config().modelType()
                        + " model; use 'translate' for encoder-decoder models");
            }
            Tokenizer tokenizer = lm.tokenizer();
            Set<Integer> eos = tokenizer.eosId().isPresent() ? Set.of(tokenizer.eosId().getAsInt()) : Set.of();
            List<String> stopStrings = stops == null ? List.of() : stops;
            GenerationOptions options = new GenerationOptions(maxTokens, temperature, topK, topP, seed, eos,
                    stopStrings, crop);
            System.out.print(prompt);
            lm.generate(prompt, options, piece -> {
                System.out.print(piece);
                System.out.flush();
            });
            System.out.println();
            return 0;
        }
    }
}
