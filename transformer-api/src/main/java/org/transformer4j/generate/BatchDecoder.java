package org.transformer4j.generate;

/**
 * What a runtime provides for batched GPT generation ({@link GptBatchRun}): runs a batch of rows, each token at
 * its own position and with padded keys masked, against a key/value cache the decoder owns. The generation loop
 * (left padding, per-row samplers, rows leaving the batch, the sliding window) is written once on top, so the
 * {@link org.transformer4j.nn.Ops} generator ({@link GptGenerator}) and other runtimes (ONNX Runtime) batch the
 * same way and give the same tokens. Used by one thread at a time; close it to free the cache.
 */
public interface BatchDecoder extends AutoCloseable {

    /**
     * Drops the cache and runs a fresh batch.
     *
     * @param ids       token ids {@code [rows, time]}
     * @param positions the position of each token {@code [rows, time]} (left-padded rows start at 0 at their first
     *                  real token; padding sits at position 0)
     * @param mask      {@code [rows, time]}, 1 for a real token and 0 for padding; or null when no row is padded
     * @return the logits {@code [rows, time, V]}, row-major
     */
    float[] restart(int[][] ids, int[][] positions, int[][] mask);

    /**
     * Appends one token per row at its position.
     *
     * @param ids       one token id per row
     * @param positions the position of each row's token
     * @param mask      {@code [rows, cached + 1]} over the cached and the new positions, or null when no row is
     *                  padded
     * @return the logits {@code [rows, V]}, row-major
     */
    float[] step(int[] ids, int[] positions, int[][] mask);

    /** Keeps rows {@code rows} of the cache (indices into the current batch), in that order. */
    void selectRows(int[] rows);

    /** Frees the cache. */
    @Override
    void close();
}
