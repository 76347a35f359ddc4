package org.transformer4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.examples.attention.AttentionKind;
import org.transformer4j.examples.attention.AttentionMap;
import org.transformer4j.examples.attention.AttentionMaps;
import org.transformer4j.examples.plot.AttentionHeatmap;
import org.transformer4j.model.ModelDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code attention}: writes a PNG heatmap of one attention head of one layer of a model for an input text. */
@Command(name = "attention", mixinStandardHelpOptions = true,
        description = {"Write a PNG heatmap of the attention weights of one head of one layer for an input text.",
                "GPT: --kind self. Encoder-decoder: --kind encoder (source x source), decoder (target x target) or "
                        + "cross (output token x source); the target is --target, else the model's greedy translation."})
final class AttentionCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory") Path model;
    @Option(names = "--input", required = true, description = "the text (an encoder-decoder's source)") String input;
    @Option(names = "--target", description = "encoder-decoder: the target text (default: the greedy translation)") String target;
    @Option(names = "--layer", defaultValue = "0", description = "0-based layer (default: ${DEFAULT-VALUE})") int layer;
    @Option(names = "--head", defaultValue = "0", description = "0-based head (default: ${DEFAULT-VALUE})") int head;
    @Option(names = "--kind", description = "self, encoder, decoder or cross (default: self for a GPT, cross for an encoder-decoder)") String kind;
    @Option(names = "--out", defaultValue = "attention.png", description = "PNG to write (default: ${DEFAULT-VALUE})") Path out;
    @Option(names = "--backend", description = "backend name (default: selection rules)") String backend;
    @Option(names = "--threads", defaultValue = "0") int threads;

    @Override
    public Integer call() throws Exception {
        ModelDirectory dir = ModelDirectory.load(model);
        AttentionKind k = kind != null ? AttentionKind.parse(kind)
                : dir.config().modelType().equals("gpt") ? AttentionKind.SELF : AttentionKind.CROSS;
        try (InferenceEngine engine = Backends.openInference(backend, new EngineOptions(threads, null, 0));
             LoadedWeights weights = engine.load(dir.weights())) {
            AttentionMap map = AttentionMaps.compute(dir.config(), weights, dir.tokenizer(), engine, input, target, k, layer, head);
            AttentionHeatmap.write(out, map.weights(), map.rowLabels(), map.colLabels(), map.title());
            System.out.printf(Locale.ROOT, "%s: %d x %d -> %s%n", map.title(), map.rowLabels().size(), map.colLabels().size(), out);
            if (k == AttentionKind.CROSS || k == AttentionKind.DECODER) {
                System.out.println("target: " + String.join("", map.rowLabels()).replace("\u2423", " "));
            }
        }
        return 0;
    }
}
