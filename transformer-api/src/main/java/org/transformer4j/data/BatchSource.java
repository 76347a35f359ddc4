package org.transformer4j.data;

/**
 * An endless, resumable stream of batches: {@link #position()} counts the batches drawn and
 * {@link #seek(long)} returns to any position, so a resumed training run sees exactly the batches the
 * uninterrupted run would have.
 */
public interface BatchSource {

    /**
     * The next batch.
     *
     * @return the batch at {@link #position()}, which then advances by one
     */
    Batch next();

    /**
     * Batches drawn so far.
     *
     * @return the index of the next batch
     */
    long position();

    /**
     * Makes the next {@link #next()} return batch number {@code position}.
     *
     * @param position a batch index, 0 or more
     */
    void seek(long position);
}
