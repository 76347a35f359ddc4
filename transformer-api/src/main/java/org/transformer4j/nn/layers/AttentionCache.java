package org.transformer4j.nn.layers;

import org.transformer4j.tensor.Tensor;

/**
 * The keys and values one attention layer has seen, kept between generation steps so each new token
 * attends to the past without recomputing it. For cross-attention it holds the encoder output's keys and
 * values, computed once. Closing it closes the tensors (frees native memory on native backends).
 */
public final class AttentionCache implements AutoCloseable {
    private Tensor keys;
    private Tensor values;

    /** Keys so far, {@code [B, T, C]}, or null when empty. */
    public Tensor keys() {
        return keys;
    }

    /** Values so far, {@code [B, T, C]}, or null when empty. */
    public Tensor values() {
        return values;
    }

    /** Number of cached positions. */
    public int length() {
        return keys == null ? 0 : keys.shape().dim(1);
    }

    public boolean isEmpty() {
        return keys == null;
    }

    /** Replaces the cached tensors, closing the old ones. */
    public void set(Tensor newKeys, Tensor newValues) {
        if (keys != null && keys != newKeys) {
            keys.close();
        }
        if (values != null && values != newValues) {
            values.close();
        }
        keys = newKeys;
        values = newValues;
    }

    @Override
    public void close() {
        set(null, null);
    }
}
