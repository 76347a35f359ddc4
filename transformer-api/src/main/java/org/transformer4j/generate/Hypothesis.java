package org.transformer4j.generate;

import java.util.Arrays;

/**
 * One result of {@link BeamSearch}: the generated tokens (without the prompt and without the end-of-sequence
 * token), the sum of their log-probabilities (the end-of-sequence token's included when {@code finished}), and the
 * length-normalized score the search ranks by: {@code logProb / length^lengthPenalty}, where {@code length} counts
 * the end-of-sequence token too.
 *
 * @param tokens   generated tokens, end-of-sequence token left out
 * @param logProb  natural-log probability of the generated continuation under the model
 * @param score    {@code logProb / length^lengthPenalty}
 * @param finished true when the hypothesis ended with an end-of-sequence token, false when it was cut by the
 *                 token limit
 */
public record Hypothesis(int[] tokens, double logProb, double score, boolean finished) {

    /** Copies the tokens. */
    public Hypothesis {
        tokens = tokens.clone();
    }

    /**
     * The generated tokens (a copy).
     *
     * @return the token ids
     */
    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hypothesis h && Arrays.equals(tokens, h.tokens) && logProb == h.logProb
                && score == h.score && finished == h.finished;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens) * 31 + Double.hashCode(score);
    }

    @Override
    public String toString() {
        return "Hypothesis" + Arrays.toString(tokens) + " logProb=" + logProb + " score=" + score
                + (finished ? " (finished)" : " (cut at the token limit)");
    }
}
