package org.transformer4j.generate;

/**
 * The decoding state of a {@link Seq2SeqRuntime} for {@link #rows()} rows: the encoder output of each row's source
 * and the decoder's keys and values over {@link #length()} target positions. Its rows can be reordered, repeated or
 * dropped together (beam search). Close it to free its memory.
 */
public interface Seq2SeqCache extends AutoCloseable {

    /**
     * Number of rows.
     *
     * @return the batch size
     */
    int rows();

    /**
     * Target positions decoded so far.
     *
     * @return the decoded length
     */
    int length();

    /**
     * Makes row {@code i} a copy of current row {@code rows[i]} (source and target state alike; rows may repeat or
     * be left out), so {@link #rows()} becomes {@code rows.length}.
     *
     * @param rows the old row of each new row
     */
    void selectRows(int[] rows);

    /** Frees the cache. */
    @Override
    void close();
}
