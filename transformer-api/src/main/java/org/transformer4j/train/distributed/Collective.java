package org.transformer4j.train.distributed;

import java.time.Duration;

/**
 * The communication a data-parallel training run needs between its replicas ("ranks" {@code 0..size-1}): summing or
 * averaging float gradient buffers (all-reduce), sending rank 0's initial weights to everyone (broadcast), and waiting
 * for everyone (barrier). Every rank must make the same calls in the same order with buffers of the same length.
 *
 * <p>Every call either completes or fails within the group's {@link #timeout()} of no progress, with a
 * {@link CollectiveException} naming the peer (rank and address) that failed or stopped answering; after a failure
 * the collective is unusable and should be closed, which makes the other ranks fail fast instead of waiting out their
 * timeouts. After an all-reduce every rank holds bit-identical values, so replicas that apply the same update to the
 * same weights stay identical.
 *
 * <p>Implementations: {@link LocalCollective} (threads of one process) and {@link TcpCollective} (processes, a ring
 * over TCP). Not thread-safe: one thread per rank drives it.
 */
public interface Collective extends AutoCloseable {

    /** How {@link #allReduce} combines the ranks' buffers. */
    enum Reduction {
        /** The element-wise sum. */
        SUM,
        /** The element-wise sum divided by {@link #size()}. */
        MEAN
    }

    /**
     * This replica's index, {@code 0 <= rank < size}.
     *
     * @return the rank
     */
    int rank();

    /**
     * The number of replicas.
     *
     * @return at least 1
     */
    int size();

    /**
     * How long a call may wait for a peer to make progress before it fails.
     *
     * @return the timeout of every wait
     */
    Duration timeout();

    /**
     * Replaces {@code data} on every rank with the element-wise {@code reduction} of all ranks' {@code data}; every rank
     * ends with the same bits.
     *
     * @param data this rank's values; replaced by the result
     * @param reduction sum or mean
     * @throws CollectiveException if a peer fails, disconnects, calls something else, or stops answering
     */
    void allReduce(float[] data, Reduction reduction);

    /**
     * Replaces {@code data} on every rank with rank 0's {@code data}.
     *
     * @param data rank 0's values to send, or the array to overwrite on the other ranks
     */
    void broadcast(float[] data);

    /** Returns once every rank has called it. */
    void barrier();

    /** Leaves the group; peers still waiting on this rank fail promptly. Idempotent. */
    @Override
    void close();
}
