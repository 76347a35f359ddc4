package org.transformer4j.generate;

/**
 * One incremental decoding run of a model, as search strategies see it: the state (a key/value cache over a batch
 * of sequences that all have the same length) and two moves, feed one token per row or reorder the rows. Beam
 * search ({@link BeamSearch}) is written once against it, for the GPT ({@link GptGenerator#session}) and the
 * encoder-decoder ({@link Seq2SeqGenerator#session}); tests can drive the search with hand-made logits.
 *
 * <p>A session starts with a batch of one row, whose logits {@link #start()} returns. Close it to free the cache.
 */
public interface DecodingSession extends AutoCloseable {

    /**
     * Number of token ids: the length of one row of logits.
     *
     * @return V
     */
    int vocabSize();

    /**
     * How many tokens this session can still produce after {@link #start()}'s: one per {@link #step} plus the one
     * chosen from {@link #start()}'s logits. Limited by the model's context window.
     *
     * @return the number of tokens left
     */
    int maxNewTokens();

    /**
     * Runs the prefix (the prompt, or BOS after encoding the source) and returns the logits {@code [1, V]} of the next token.
     *
     * @return the logits of the first new token
     */
    float[] start();

    /**
     * Appends {@code tokens[b]} to row {@code b} of the batch and returns the logits {@code [B, V]} of the next
     * token of every row, row-major; {@code tokens.length} must be the current batch size.
     *
     * @param tokens one token per row
     * @return the logits {@code [B, V]}
     */
    float[] step(int[] tokens);

    /**
     * Makes row {@code i} of the new batch a copy of row {@code rows[i]} of the current one (rows may repeat or be
     * left out), so the batch size becomes {@code rows.length}.
     *
     * @param rows the old row of each new row
     */
    void selectRows(int[] rows);

    /** Frees the cache. */
    @Override
    void close();
}
