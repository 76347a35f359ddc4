package org.transformer4j.data;

/**
 * An endless, resumable stream of batches: {@link #position()} counts the batches drawn and
 * {@link #seek(long)} returns to any position, so a resumed training run sees exactly the batches the
 * uninterrupted run would have.
 */
public interface BatchSource {

    /** The next batch. */
    Batch next();

    /** Batches drawn so far. */
    long position();

    /** Makes the next {@link #next()} return batch number {@code position}. */
    void seek(long position);
}
