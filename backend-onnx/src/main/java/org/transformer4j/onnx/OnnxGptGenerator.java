package org.transformer4j.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntPredicate;
import org.transformer4j.generate.BeamSearch;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.DecodingSession;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.Hypothesis;
import org.transformer4j.generate.TokenSampler;

/**
 * Generates text with an exported GPT, as {@link org.transformer4j.generate.GptGenerator} does with the
 * {@link org.transformer4j.nn.Ops} composition: the prompt runs once, then each new token runs alone against the
 * key/value cache; when the window fills up, the cache is rebuilt from the most recent half-window of tokens.
 * Tokens are picked by the API's {@link TokenSampler}, so greedy decoding and seeded sampling give the same tokens
 * as the CPU path (up to float rounding between the two runtimes). Thread-safe: each call has its own cache.
 */
public final class OnnxGptGenerator {
    private final OnnxModel model;

    public OnnxGptGenerator(OnnxModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * Continues {@code prompt}; {@code onToken} sees each new token as it is chosen and may return false to stop.
     *
     * @return the new tokens (without the prompt)
     */
    public int[] generate(int[] prompt, GenerationOptions options, IntPredicate onToken) {
        int ctx = model.config().contextLength();
        int vocab = model.config().vocabSize();
        int[] context = fit(prompt, options.cropPrompt());
        TokenSampler sampler = new TokenSampler(options);
        int[] out = new int[options.maxNewTokens()];
        int produced = 0;
        int[] history = context.clone();
        int historyLen = history.length;
        OnnxKvCache cache = model.newCache(1);
        try {
            float[] logits = model.step(new int[][] {context}, cache).floats();
            int rows = context.length;
            while (produced < options.maxNewTokens()) {
                int next = sampler.next(logits, (rows - 1) * vocab, vocab);
                out[produced++] = next;
                if (historyLen == history.length) {
                    history = Arrays.copyOf(history, history.length * 2 + 1);
                }
                history[historyLen++] = next;
                if (!onToken.test(next) || options.stopTokens().contains(next) || produced == options.maxNewTokens()) {
                    break;
                }
                if (cache.length() + 1 > ctx) {
                    cache.close();
                    cache = model.newCache(1);
                    int keep = Math.max(1, ctx / 2);
                    int[] window = Arrays.copyOfRange(history, historyLen - keep, historyLen);
                    logits = model.step(new int[][] {window}, cache).floats();
                    rows = window.length;
                } else {
                    logits = model.step(new int[][] {{next}}, cache).floats();
                    rows = 1;
                }
            }
        } finally {
            cache.close();
        }
        return Arrays.copyOf(out, produced);
    }

    /**
     * Beam search continuing {@code prompt} with the API's {@link BeamSearch}; the prompt must leave room in the
     * context for {@code maxNewTokens}.
     *
     * @param cropPrompt keep only the last context-length tokens of a longer prompt instead of refusing it
     * @return up to {@code nBest} hypotheses, best first
     */
    public List<Hypothesis> beamSearch(int[] prompt, BeamSearchOptions options, boolean cropPrompt) {
        try (DecodingSession session = session(prompt, cropPrompt)) {
            return BeamSearch.search(session, options);
        }
    }

    /**
     * A decoding session continuing {@code prompt} (checked: not empty, ids in the vocabulary, at most the context
     * length unless {@code cropPrompt}), for the API's search strategies. Close it.
     */
    public DecodingSession session(int[] prompt, boolean cropPrompt) {
        return new OnnxGptSession(model, fit(prompt, cropPrompt));
    }

    /** The prompt checked (not empty, ids in the vocabulary) and fitted to the context. */
    private int[] fit(int[] prompt, boolean crop) {
        int ctx = model.config().contextLength();
        int vocab = model.config().vocabSize();
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token (e.g. a newline or <bos>)");
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab) {
                throw new IllegalArgumentException("the prompt: token " + prompt[i] + " at position " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (prompt.length > ctx) {
            if (!crop) {
                throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens but the model's context is "
                        + ctx + "; shorten it or enable cropping (keeps the last " + ctx + " tokens)");
            }
            return Arrays.copyOfRange(prompt, prompt.length - ctx, prompt.length);
        }
        return prompt.clone();
    }
}
