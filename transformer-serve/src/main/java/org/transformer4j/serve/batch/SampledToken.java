package org.transformer4j.serve.batch;

/**
 * One chosen token and, when the request asked for log-probabilities, the natural log of its probability under the
 * model's distribution ({@code log_softmax} of the raw logits, before temperature or filtering) and the most likely
 * alternatives at that step, most likely first.
 *
 * @param logprob      NaN when log-probabilities were not asked for
 * @param topIds       the {@code topLogprobs} most likely ids (empty when none were asked for)
 * @param topLogprobs  their log-probabilities, parallel to {@code topIds}
 */
public record SampledToken(int id, float logprob, int[] topIds, float[] topLogprobs) {

    /** A token without log-probabilities. */
    public static SampledToken of(int id) {
        return new SampledToken(id, Float.NaN, new int[0], new float[0]);
    }

    /** True when log-probabilities were computed for this token. */
    public boolean hasLogprob() {
        return !Float.isNaN(logprob);
    }
}
