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
 *
 * @param maxNewTokens most tokens to generate, 0 or more
 * @param temperature 0 for greedy, else the softmax temperature
 * @param topK sample among this many most likely tokens (0: all)
 * @param topP sample within this probability mass, in (0, 1] (1: all)
 * @param seed the sampler's seed
 * @param stopTokens ids that end generation (the id is kept in the tokens)
 * @param stopStrings texts that end generation (cut from the text)
 * @param cropPrompt keep only the last tokens of a prompt longer than the context instead of refusing it
 */
public record GenerationOptions(int maxNewTokens, float temperature, int topK, float topP, long seed,
                                Set<Integer> stopTokens, List<String> stopStrings, boolean cropPrompt) {

    /** Checks every setting's range and copies the stop sets. */
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

    /**
     * Greedy decoding of up to {@code maxNewTokens} tokens.
     *
     * @param maxNewTokens most tokens to generate
     * @return the options
     */
    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, 0f, 0, 1f, 0L, Set.of(), List.of(), false);
    }

    /**
     * Sampling at {@code temperature} with top-k {@code topK}, seeded.
     *
     * @param maxNewTokens most tokens to generate
     * @param temperature the softmax temperature, above 0
     * @param topK sample among this many most likely tokens (0: all)
     * @param seed the sampler's seed
     * @return the options
     */
    public static GenerationOptions sampling(int maxNewTokens, float temperature, int topK, long seed) {
        return new GenerationOptions(maxNewTokens, temperature, topK, 1f, seed, Set.of(), List.of(), false);
    }

    /**
     * These options with nucleus sampling at {@code p}.
     *
     * @param p the probability mass, in (0, 1]
     * @return new options
     */
    public GenerationOptions withTopP(float p) {
        return new GenerationOptions(maxNewTokens, temperature, topK, p, seed, stopTokens, stopStrings, cropPrompt);
    }

    /**
     * These options ending at any of {@code ids}.
     *
     * @param ids the stop token ids
     * @return new options
     */
    public GenerationOptions withStopTokens(Set<Integer> ids) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, ids, stopStrings, cropPrompt);
    }

    /**
     * These options ending at any of the texts {@code s}.
     *
     * @param s the stop strings
     * @return new options
     */
    public GenerationOptions withStopStrings(List<String> s) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, stopTokens, s, cropPrompt);
    }

    /**
     * These options cropping (or refusing) a prompt longer than the context.
     *
     * @param crop true to keep the prompt's last tokens
     * @return new options
     */
    public GenerationOptions withCropPrompt(boolean crop) {
        return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, stopTokens, stopStrings, crop);
    }

    /**
     * These options with a model directory's suggestions applied as Hugging Face applies
     * {@code generation_config.json}: {@code do_sample} false (its default) means greedy; when sampling, an unset
     * temperature is 1, top-k 50 and top-p 1 (Hugging Face's defaults); {@code max_new_tokens} and the end-of-text ids
     * replace this object's when the directory gives them. Options the user set explicitly should be applied after
     * this, so that they win.
     *
     * @param d the directory's defaults
     * @return new options
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

    /**
     * Whether tokens are picked by argmax.
     *
     * @return true when the temperature is 0
     */
    public boolean isGreedy() {
        return temperature == 0f;
    }
}
