package org.transformer4j.serve.batch;

/** Log-probabilities of a row of logits: {@code log_softmax}, the chosen token's value and the top alternatives. */
final class Logprobs {
    private Logprobs() {
    }

    static SampledToken of(float[] logits, int offset, int vocab, int chosen, int top) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        double logZ = max + Math.log(sum);
        int k = Math.min(top, vocab);
        int[] ids = new int[k];
        float[] values = new float[k];
        int filled = 0;
        for (int i = 0; i < vocab; i++) { // insertion into a small sorted array: k <= 20
            float v = logits[offset + i];
            if (filled < k || v > logits[offset + ids[filled - 1]]) {
                int at = filled < k ? filled++ : k - 1;
                while (at > 0 && logits[offset + ids[at - 1]] < v) {
                    ids[at] = ids[at - 1];
                    at--;
                }
                ids[at] = i;
            }
        }
        for (int j = 0; j < k; j++) {
            values[j] = (float) (logits[offset + ids[j]] - logZ);
        }
        return new SampledToken(chosen, (float) (logits[offset + chosen] - logZ), ids, values);
    }
}
