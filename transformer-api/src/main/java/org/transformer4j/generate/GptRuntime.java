package org.transformer4j.generate;

import org.transformer4j.model.GptConfig;

/**
 * The one thing a runtime implements so that a decoder-only model (a GPT) can generate: a forward pass that appends
 * to a key/value cache. Implemented once over the {@link org.transformer4j.nn.Ops} composition (any training backend's
 * inference ops) and once over ONNX Runtime; every generation loop (greedy and sampled decoding, batches of prompts,
 * beam search, a server's continuous batching) is written once on top of it.
 *
 * <p>Rows of one cache all have the same {@link GptCache#length() length}; rows whose history is shorter are
 * left-padded, and the caller says which positions are padding with a mask and where each token sits with explicit
 * positions. Calls on different caches may run concurrently; one cache is used by one thread at a time.
 */
public interface GptRuntime {

    /**
     * The architecture this runtime runs.
     *
     * @return the GPT config
     */
    GptConfig config();

    /**
     * Number of token ids: the length of one row of logits.
     *
     * @return V
     */
    default int vocabSize() {
        return config().vocabSize();
    }

    /**
     * The model's context length: the largest position plus one.
     *
     * @return the context length
     */
    default int contextLength() {
        return config().contextLength();
    }

    /**
     * An empty cache for {@code rows} rows; close it to free it.
     *
     * @param rows the batch size
     * @return an empty cache
     */
    GptCache newCache(int rows);

    /**
     * Runs tokens {@code ids [rows, T]} after the positions already in {@code cache} and appends their keys and values
     * to it.
     *
     * @param positions the position of each token {@code [rows, T]}, each below {@link #contextLength()}
     * @param mask      {@code [rows, cache.length() + T]} over the cached and the new positions, 1 for a real token and
     *                  0 for padding; or null when no row is padded
     * @param lastOnly  return only the logits of the last of the {@code T} positions of each row
     * @param cache the cache of this batch; grows by T
     * @param ids the new token ids {@code [rows, T]}
     * @return the logits, row-major: {@code [rows, T, V]}, or {@code [rows, V]} when {@code lastOnly}
     * @throws IllegalArgumentException naming the problem for an id outside the vocabulary, a position outside the
     *                                  context, or shapes that do not match the cache
     */
    float[] forward(GptCache cache, int[][] ids, int[][] positions, int[][] mask, boolean lastOnly);
}
