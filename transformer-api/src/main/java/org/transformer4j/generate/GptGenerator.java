package org.transformer4j.generate;

import java.util.Arrays;
import java.util.function.IntPredicate;
import org.transformer4j.backend.Engine;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.KvCache;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Generates text with a GPT on any inference backend, incrementally: the prompt runs once, then each new
 * token runs alone against the key/value cache. When the window fills up, the cache is rebuilt from the
 * most recent half-window of tokens (so generation can go on past the context length).
 */
public final class GptGenerator {
    private final GptModel model;
    private final Ops ops;
    private final Parameters weights;

    public GptGenerator(GptModel model, Engine engine, Parameters weights) {
        this.model = model;
        this.ops = engine.inferenceOps();
        this.weights = weights;
    }

    /**
     * Continues {@code prompt}; {@code onToken} sees each new token as it is chosen and may return false to stop.
     *
     * @return the new tokens (without the prompt)
     */
    public int[] generate(int[] prompt, GenerationOptions options, IntPredicate onToken) {
        int ctx = model.config().contextLength();
        int vocab = model.config().vocabSize();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token (e.g. a newline or <bos>)");
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab) {
                throw new IllegalArgumentException("prompt token " + prompt[i] + " at position " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        int[] context = prompt;
        if (prompt.length > ctx) {
            if (!options.cropPrompt()) {
                throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens but the model's context is "
                        + ctx + "; shorten it or enable cropping (keeps the last " + ctx + " tokens)");
            }
            context = Arrays.copyOfRange(prompt, prompt.length - ctx, prompt.length);
        }
        TokenSampler sampler = new TokenSampler(options);
        int[] out = new int[options.maxNewTokens()];
        int produced = 0;
        int[] history = context.clone();
        int historyLen = history.length;
        KvCache cache = model.newCache();
        try {
            float[] logits = forward(context, cache);
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
                    cache = model.newCache();
                    int keep = Math.max(1, ctx / 2);
                    int[] window = Arrays.copyOfRange(history, historyLen - keep, historyLen);
                    logits = forward(window, cache);
                    rows = window.length;
                } else {
                    logits = forward(new int[] {next}, cache);
                    rows = 1;
                }
            }
        } finally {
            cache.close();
        }
        return Arrays.copyOf(out, produced);
    }

    private float[] forward(int[] ids, KvCache cache) {
        try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(1, ids.length), ids));
             Tensor logits = model.logits(ops, weights, in, cache, null)) {
            return logits.toFloatArray();
        }
    }
}
