package org.transformer4j.generate;

import java.util.List;
import java.util.function.IntPredicate;

/**
 * A decoder-only model (a GPT) that continues prompts: {@link GptGenerator} over any {@link GptRuntime}; tests
 * implement it over scripted logits. An implementation only opens
 * {@link DecodingSession}s; greedy and sampled generation ({@link SamplingSearch}, which slides the window past the
 * context length) and beam search ({@link BeamSearch}) are written once on top, so every runtime decodes the same
 * way and {@link TextGenerator} (text, stop strings) works over any of them.
 */
public interface TokenGenerator {

    /**
     * Number of token ids the model knows.
     *
     * @return V
     */
    int vocabSize();

    /**
     * The model's context length: the most tokens one session holds.
     *
     * @return the context length
     */
    int contextLength();

    /**
     * A decoding session continuing {@code prompt} (checked: not empty, ids in the vocabulary, at most
     * {@link #contextLength()} tokens unless {@code cropPrompt}, which keeps the last ones). Close it.
     *
     * @param prompt the prompt's token ids
     * @param cropPrompt keep the last tokens of a too-long prompt instead of refusing it
     * @return the session, started by its caller
     */
    DecodingSession session(int[] prompt, boolean cropPrompt);

    /**
     * Continues {@code prompt}, greedy or sampled as {@code options} say; {@code onToken} sees each new token as it is
     * chosen and may return false to stop. Generation also stops after {@code maxNewTokens} or at a stop token (which
     * is included in the result); when the context fills, it goes on from the most recent half-window of tokens.
     *
     * @param prompt the prompt's token ids
     * @param options sampling, length and stop settings
     * @param onToken sees each new token; false stops
     * @return the new tokens (without the prompt)
     */
    default int[] generate(int[] prompt, GenerationOptions options, IntPredicate onToken) {
        return SamplingSearch.generate(this, prompt, options, onToken);
    }

    /**
     * Continues every prompt with the same options (each row samples with {@code options.seed()}).
     *
     * @param prompts the prompts' token ids
     * @param options sampling, length and stop settings
     * @return the new tokens of each prompt, in order
     */
    default List<int[]> generate(List<int[]> prompts, GenerationOptions options) {
        return generate(prompts, java.util.Collections.nCopies(prompts.size(), options), (row, token) -> true);
    }

    /**
     * Continues several prompts of any lengths. Prompt {@code i} is decoded with {@code options.get(i)} (its own
     * token limit, sampling settings, seed and stop tokens) and gives, token for token, what
     * {@link #generate(int[], GenerationOptions, IntPredicate)} gives for it alone. This default decodes the prompts
     * one after the other; generators that batch ({@link GptGenerator}, the ONNX one) run them as one left-padded
     * batch through {@link GptBatchRun}.
     *
     * @param prompts the prompts' token ids
     * @param options one per prompt
     * @param listener sees each new token of each prompt; false stops that prompt
     * @return the new tokens of each prompt, in prompt order
     */
    default List<int[]> generate(List<int[]> prompts, List<GenerationOptions> options, BatchTokenListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts given: give at least one");
        }
        if (options.size() != prompts.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + options.size()
                    + " generation options: give one options per prompt");
        }
        List<int[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int row = i;
            out.add(generate(prompts.get(i), options.get(i), token -> listener.onToken(row, token)));
        }
        return out;
    }

    /**
     * Beam search continuing {@code prompt} (see {@link BeamSearch}); the prompt must leave room in the context for
     * {@code maxNewTokens}.
     *
     * @param cropPrompt keep only the last context-length tokens of a longer prompt instead of refusing it
     * @param prompt the prompt's token ids
     * @param options width, length penalty, limits, n-best and end tokens
     * @return up to {@code nBest} hypotheses, best first
     */
    default List<Hypothesis> beamSearch(int[] prompt, BeamSearchOptions options, boolean cropPrompt) {
        try (DecodingSession session = session(prompt, cropPrompt)) {
            return BeamSearch.search(session, options);
        }
    }

    /**
     * Beam search continuing {@code prompt}, refusing a prompt longer than the context.
     *
     * @param prompt the prompt's token ids
     * @param options width, length penalty, limits, n-best and end tokens
     * @return up to {@code nBest} hypotheses, best first
     */
    default List<Hypothesis> beamSearch(int[] prompt, BeamSearchOptions options) {
        return beamSearch(prompt, options, false);
    }
}
