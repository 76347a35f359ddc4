package org.transformer4j.generate;

import org.transformer4j.model.Seq2SeqConfig;

/**
 * The one thing a runtime implements so that an encoder-decoder can generate: encode the sources once, then decode
 * target tokens step by step against a {@link Seq2SeqCache} that holds the encoder output (the cross-attention side)
 * and the decoder's self-attention keys and values. Implemented once over the {@link org.transformer4j.nn.Ops}
 * composition ({@link OpsSeq2SeqRuntime}) and once over ONNX Runtime; greedy and sampled decoding and beam search
 * ({@link Seq2SeqGenerator}) are written once on top. Calls on different caches may run concurrently; one cache is
 * used by one thread at a time.
 */
public interface Seq2SeqRuntime {

    /**
     * The architecture this runtime runs.
     *
     * @return the encoder-decoder config
     */
    Seq2SeqConfig config();

    /**
     * Number of token ids: the length of one row of logits.
     *
     * @return V
     */
    default int vocabSize() {
        return config().vocabSize();
    }

    /**
     * The context length: the longest source, and the longest target.
     *
     * @return the context length
     */
    default int contextLength() {
        return config().contextLength();
    }

    /**
     * Encodes sources {@code srcIds [rows, S]} and returns a cache for decoding their targets, with no target
     * positions yet; close it to free it.
     *
     * @param srcMask {@code [rows, S]}, 1 for a real token and 0 for padding; or null when no row is padded
     * @param srcIds the source token ids {@code [rows, S]}
     * @return a cache holding the encoder output
     * @throws IllegalArgumentException naming the problem for an id outside the vocabulary, a source longer than
     *                                  the context, or shapes that do not match
     */
    Seq2SeqCache encode(int[][] srcIds, int[][] srcMask);

    /**
     * Runs target tokens {@code tgtIds [rows, T]} after the positions already in {@code cache} and appends them.
     *
     * @param lastOnly return only the logits of the last of the {@code T} positions of each row
     * @param cache the cache from {@link #encode}; grows by T
     * @param tgtIds the new target ids {@code [rows, T]}
     * @return the logits, row-major: {@code [rows, T, V]}, or {@code [rows, V]} when {@code lastOnly}
     * @throws IllegalArgumentException for an id outside the vocabulary, a target beyond the context, or a row
     *                                  count that differs from the cache's
     */
    float[] decode(Seq2SeqCache cache, int[][] tgtIds, boolean lastOnly);
}
