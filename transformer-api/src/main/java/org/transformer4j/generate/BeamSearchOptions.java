package org.transformer4j.generate;

import java.util.Set;

/**
 * Settings of {@link BeamSearch}.
 *
 * @param width         number of hypotheses kept alive at each step (1 = greedy)
 * @param lengthPenalty exponent {@code α} of the length normalization {@code score = logProb / length^α}
 *                      (GNMT/Hugging Face style): 0 ranks by raw log-probability, which favours short outputs;
 *                      1 by mean log-probability per token
 * @param maxNewTokens  most tokens to generate (the end-of-sequence token counts)
 * @param nBest         number of hypotheses to return, best first; at most {@code width}
 * @param eosTokens     ids that end a hypothesis (may be empty: then every hypothesis runs to {@code maxNewTokens})
 */
public record BeamSearchOptions(int width, double lengthPenalty, int maxNewTokens, int nBest, Set<Integer> eosTokens) {

    /** Checks the width, lengths and n-best, and copies the end tokens. */
    public BeamSearchOptions {
        if (width < 1) {
            throw new IllegalArgumentException("beam width must be >= 1, was " + width);
        }
        if (!Double.isFinite(lengthPenalty)) {
            throw new IllegalArgumentException("lengthPenalty must be a finite number (0 = none, 1 = per-token mean), was "
                    + lengthPenalty);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1, was " + maxNewTokens);
        }
        if (nBest < 1 || nBest > width) {
            throw new IllegalArgumentException("nBest must be in [1, width = " + width + "], was " + nBest);
        }
        eosTokens = Set.copyOf(eosTokens);
    }

    /**
     * Width {@code width}, no length penalty, the single best hypothesis, ending at {@code eos} (or never if empty).
     *
     * @param width the beam width, at least 1
     * @param maxNewTokens most tokens to generate, at least 1
     * @param eos the ids that end a hypothesis
     * @return the options
     */
    public static BeamSearchOptions of(int width, int maxNewTokens, Set<Integer> eos) {
        return new BeamSearchOptions(width, 0.0, maxNewTokens, 1, eos);
    }

    /**
     * The same settings with length penalty {@code alpha}.
     *
     * @param alpha the exponent, e.g. 0.6 (GNMT) or 1
     * @return new options
     */
    public BeamSearchOptions withLengthPenalty(double alpha) {
        return new BeamSearchOptions(width, alpha, maxNewTokens, nBest, eosTokens);
    }

    /**
     * The same settings returning the {@code n} best hypotheses.
     *
     * @param n from 1 to the width
     * @return new options
     */
    public BeamSearchOptions withNBest(int n) {
        return new BeamSearchOptions(width, lengthPenalty, maxNewTokens, n, eosTokens);
    }
}
