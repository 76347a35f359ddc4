package org.transformer4j.nn.layers;

import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The keys and values one attention layer has seen, kept between generation steps so each new token
 * attends to the past without recomputing it. For cross-attention it holds the encoder output's keys and
 * values, computed once. Closing it closes the tensors (frees native memory on native backends).
 */
public final class AttentionCache implements AutoCloseable {
    private Tensor keys;
    private Tensor values;

    /** An empty cache; the first {@link #set} fills it. */
    public AttentionCache() {
    }

    /**
     * Keys so far, {@code [B, T, C]}, or null when empty.
     *
     * @return the keys, or null
     */
    public Tensor keys() {
        return keys;
    }

    /**
     * Values so far, {@code [B, T, C]}, or null when empty.
     *
     * @return the values, or null
     */
    public Tensor values() {
        return values;
    }

    /**
     * Number of cached positions.
     *
     * @return T, 0 when empty
     */
    public int length() {
        return keys == null ? 0 : keys.shape().dim(1);
    }

    /**
     * Whether nothing is cached yet.
     *
     * @return true before the first {@link #set}
     */
    public boolean isEmpty() {
        return keys == null;
    }

    /**
     * Replaces the cached tensors, closing the old ones.
     *
     * @param newKeys the keys {@code [B, T, C]}
     * @param newValues the values {@code [B, T, C]}
     */
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

    /**
     * Batch size of the cached tensors, or 0 when empty.
     *
     * @return B, or 0
     */
    public int batchSize() {
        return keys == null ? 0 : keys.shape().dim(0);
    }

    /**
     * Keeps, in this order, the batch rows {@code rows} of the cached keys and values: row {@code i} of the new
     * cache is row {@code rows[i]} of the old one. Rows may repeat (one beam search hypothesis continued in two
     * beams) or be left out (a finished sequence dropped from a batch), so the batch size becomes
     * {@code rows.length}. An empty cache stays empty.
     *
     * <p>Backend-neutral and simple: the tensors are read back to the host, gathered there and uploaded again with
     * {@link Ops#constant}. Its cost is one copy of the cache each way, {@code O(B · T · C)} per call, the same order
     * as one attention step over the cache; on a GPU backend it is a device-host round trip.
     *
     * @param ops the backend's ops, which upload the gathered rows
     * @param rows the old row of each new row
     * @throws IllegalArgumentException when {@code rows} is empty or names a row outside {@code [0, batchSize)}
     */
    public void selectRows(Ops ops, int[] rows) {
        if (keys == null) {
            return;
        }
        Tensor newKeys = gather(ops, keys, rows, "keys");
        Tensor newValues = gather(ops, values, rows, "values");
        set(newKeys, newValues);
    }

    private static Tensor gather(Ops ops, Tensor t, int[] rows, String what) {
        Shape s = t.shape();
        int batch = s.dim(0);
        if (rows.length == 0) {
            throw new IllegalArgumentException("AttentionCache.selectRows: no rows given; keep at least one of the "
                    + batch + " rows of the cached " + what + " " + s);
        }
        int block = s.size() / batch;
        float[] from = t.toFloatArray();
        float[] to = new float[rows.length * block];
        for (int i = 0; i < rows.length; i++) {
            int r = rows[i];
            if (r < 0 || r >= batch) {
                throw new IllegalArgumentException("AttentionCache.selectRows: row " + r + " (at index " + i
                        + ") is outside [0, " + batch + ") for the cached " + what + " " + s);
            }
            System.arraycopy(from, r * block, to, i * block, block);
        }
        int[] dims = s.toArray();
        dims[0] = rows.length;
        return ops.constant(HostTensor.ofFloats(Shape.of(dims), to));
    }

    @Override
    public void close() {
        set(null, null);
    }
}
