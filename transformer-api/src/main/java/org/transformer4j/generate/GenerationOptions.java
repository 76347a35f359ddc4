package org.transformer4j.generate;

import java.util.List;
import java.util.Set;

/**
 * How to pick tokens: {@code temperature} 0 means greedy (argmax); otherwise sample from
 * {@code softmax(logits / temperature)} restricted to the {@code topK} most likely tokens (0: all) and to
 * the smallest set whose probability reaches {@code topP} (1: all). Generation stops after
 * {@code maxNewTokens}, at a token of {@code stopTokens}, or when the text ends with a stop string.
 * {@code seed} makes sampling reproducible. A prompt longer than the context window is refused unless
 * {@code cropPrompt} is set, in which case only its last tokens are kept.
 */
public record GenerationOptions(int maxNewTokens, float temperature, int topK, float topP, long seed,
                                Set<Integer> stopTokens, List<String> stopStrings, boolean cropPrompt) {

    public GenerationOptions {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, was " + maxNewTokens);
        }
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0 (0 = greedy), was " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = no limit), was " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1] (1 = no limit), was " + topP);
        }
        stopTokens = Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, 0f, 0, 1f, 0L, Set.of(), List.of(), false);
    }

    /** Sampling at {@code temperature} with top-k {@code topK}, seeded. */
    public static GenerationOptions sampling(int maxNewTokens, float temperature, int topK, long seed) {
        return new GenerationOptions(maxNewTokens, temperature, topK, 1f, seed, Set.of(), List.of(), false);
    }

    public GenerationOptions withTopP(float p) {
        return new GenerationOptions(maxNewTokens, temperature, topK, p, seed, stopTokens, stopStrings, cropPrompt);
    }

    public GenerationOptions withStopTokens(Set<Integer> ids) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, ids, stopStrings, cropPrompt);
    }

    public GenerationOptions withStopStrings(List<String> s) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, stopTokens, s, cropPrompt);
    }

    public GenerationOptions withCropPrompt(boolean crop) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, stopTokens, stopStrings, crop);
    }

    /**
     * These options with a model directory's suggestions applied as Hugging Face applies
     * {@code generation_config.json}: {@code do_sample} false (its default) means greedy; when sampling, an unset
     * temperature is 1, top-k 50 and top-p 1 (Hugging Face's defaults); {@code max_new_tokens} and the end-of-text ids
     * replace this object's when the directory gives them. Options the user set explicitly should be applied after
     * this, so that they win.
     */
    public GenerationOptions withDefaults(org.transformer4j.model.GenerationDefaults d) {
        boolean sample = d.doSample().orElse(false);
        float temp = sample ? (float) d.temperature().orElse(1.0) : 0f;
        int k = sample ? d.topK().orElse(50) : topK;
        float p = sample ? (float) d.topP().orElse(1.0) : topP;
        java.util.Set<Integer> stops = new java.util.LinkedHashSet<>(stopTokens);
        stops.addAll(d.eosTokenIds());
        return new GenerationOptions(d.maxNewTokens().orElse(maxNewTokens), temp, k, p, seed, stops, stopStrings,
                cropPrompt);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
