package org.transformer4j.examples.attention;

import org.transformer4j.tensor.Shape;

/**
 * One recorded attention call: queries {@code [B, Tq, C]} and keys {@code [B, Tk, C]} as host arrays, the head
 * count, whether it was causal, and the key mask {@code [B, Tk]} (null: none). {@link #weights} recomputes the
 * attention probabilities exactly as {@code Ops.attention} defines them.
 */
public record RecordedAttention(Shape queryShape, float[] queries, Shape keyShape, float[] keys, int heads,
                                boolean causal, int[] keyMask) {

    /** Number of query positions {@code Tq}. */
    public int queryLength() {
        return queryShape.dim(1);
    }

    /** Number of key positions {@code Tk}. */
    public int keyLength() {
        return keyShape.dim(1);
    }

    /**
     * The attention weights {@code [Tq][Tk]} of head {@code head} for batch row {@code row}:
     * {@code softmax(q_h k_hᵀ / sqrt(C / heads))} over the keys that query may see (not masked as padding, and for
     * a causal call at positions up to its own, query {@code i} being at absolute position {@code Tk - Tq + i});
     * keys it may not see get weight 0. Computed in double. Each row sums to 1 (a row with no visible key is all 0).
     *
     * @throws IllegalArgumentException if {@code row} or {@code head} is out of range
     */
    public float[][] weights(int row, int head) {
        int b = queryShape.dim(0);
        int c = queryShape.dim(2);
        if (row < 0 || row >= b) {
            throw new IllegalArgumentException("batch row " + row + " is out of range [0, " + b + ")");
        }
        if (head < 0 || head >= heads) {
            throw new IllegalArgumentException("head " + head + " is out of range: this attention has " + heads
                    + " heads (0.." + (heads - 1) + ")");
        }
        int tq = queryLength();
        int tk = keyLength();
        int d = c / heads;
        double scale = 1.0 / Math.sqrt(d);
        float[][] out = new float[tq][tk];
        double[] scores = new double[tk];
        for (int i = 0; i < tq; i++) {
            int qBase = (row * tq + i) * c + head * d;
            int lastVisible = causal ? tk - tq + i : tk - 1;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < tk; j++) {
                boolean visible = j <= lastVisible && (keyMask == null || keyMask[row * tk + j] != 0);
                if (!visible) {
                    scores[j] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                int kBase = (row * tk + j) * c + head * d;
                double dot = 0;
                for (int e = 0; e < d; e++) {
                    dot += (double) queries[qBase + e] * keys[kBase + e];
                }
                scores[j] = dot * scale;
                max = Math.max(max, scores[j]);
            }
            if (max == Double.NEGATIVE_INFINITY) {
                continue;
            }
            double sum = 0;
            for (int j = 0; j < tk; j++) {
                scores[j] = scores[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(scores[j] - max);
                sum += scores[j];
            }
            for (int j = 0; j < tk; j++) {
                out[i][j] = (float) (scores[j] / sum);
            }
        }
        return out;
    }
}
