package org.transformer4j.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits: greedy argmax, or temperature sampling with top-k and top-p
 * (nucleus) filtering, as {@link GenerationOptions} says. Deterministic for a seed.
 */
public final class TokenSampler {
    private final GenerationOptions options;
    private final SplittableRandom random;

    /**
     * A sampler for {@code options}, seeded by {@code options.seed()}.
     *
     * @param options the temperature, top-k, top-p and seed
     */
    public TokenSampler(GenerationOptions options) {
        this.options = options;
        this.random = new SplittableRandom(options.seed());
    }

    /**
     * The chosen token id for {@code logits[offset .. offset+vocab)}.
     *
     * @param logits a buffer of logits
     * @param offset where the row starts
     * @param vocab the row's length
     * @return an id in {@code [0, vocab)}
     */
    public int next(float[] logits, int offset, int vocab) {
        if (options.isGreedy()) {
            return argmax(logits, offset, vocab);
        }
        double[] p = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i] / options.temperature());
        }
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            p[i] = Math.exp(logits[offset + i] / options.temperature() - max);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]) != 0 ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        int keep = options.topK() > 0 ? Math.min(options.topK(), vocab) : vocab;
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += p[order[i]];
        }
        if (options.topP() < 1f) {
            double cumulative = 0;
            for (int i = 0; i < keep; i++) {
                cumulative += p[order[i]] / total;
                if (cumulative >= options.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += p[order[i]];
            }
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            r -= p[order[i]];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    /**
     * Index of the largest logit (the lowest index on ties).
     *
     * @param logits a buffer of logits
     * @param offset where the row starts
     * @param vocab the row's length
     * @return an id in {@code [0, vocab)}
     */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > logits[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
