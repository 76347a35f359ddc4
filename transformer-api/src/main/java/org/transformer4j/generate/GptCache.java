package org.transformer4j.generate;

/**
 * The key/value cache of a {@link GptRuntime}: every layer's keys and values of {@link #rows()} rows over
 * {@link #length()} positions. Besides growing through {@link GptRuntime#forward}, its rows can be reordered,
 * repeated or dropped (beam search, finished sequences leaving a batch) and the rows of another cache can join it
 * (a server's continuous batching). Which positions are padding is the caller's to track (it passes the mask).
 * Close it to free its memory.
 */
public interface GptCache extends AutoCloseable {

    /**
     * Number of rows.
     *
     * @return the batch size
     */
    int rows();

    /**
     * Positions cached per row (real and padding alike).
     *
     * @return the cached length
     */
    int length();

    /**
     * Makes row {@code i} a copy of current row {@code rows[i]} (rows may repeat or be left out), so {@link #rows()}
     * becomes {@code rows.length}.
     *
     * @param rows the old row of each new row
     */
    void selectRows(int[] rows);

    /**
     * Appends the rows of {@code other} (a cache of the same runtime, which is closed by this call) after this
     * cache's rows. The shorter of the two is padded on the left with zeros to the common length: the caller masks
     * those positions.
     *
     * @param other a cache of the same runtime and length
     * @throws IllegalArgumentException if {@code other} belongs to another runtime
     */
    void append(GptCache other);

    /**
     * Drops the first {@code columns} positions of every row (padding that no row needs any more).
     *
     * @param columns how many leading positions to drop
     */
    void dropFirst(int columns);

    /** Frees the cache. */
    @Override
    void close();
}
