package org.transformer4j.train.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link Collective}s between threads of one process: each rank hands its ring neighbour copies of the buffer in
 * chunks through a bounded queue, with the same ring algorithm (and so the same bits) as {@link TcpCollective}. For
 * tests, and for training replicas on one large (e.g. multi-socket) machine, one thread per replica.
 *
 * <pre>{@code
 * List<Collective> group = LocalCollective.group(4, Duration.ofSeconds(60));
 * // thread r: new Trainer(program_r, config, data_r).distributed(group.get(r)).run();
 * }</pre>
 */
public final class LocalCollective {
    /** Chunks in flight per ring link (each at most {@link Ring#CHUNK} floats). */
    private static final int QUEUE_CHUNKS = 8;
    /** How often a waiting rank looks whether its neighbour has left. */
    private static final long POLL_MILLIS = 20;

    private LocalCollective() {
    }

    /**
     * A group of {@code size} ranks; element {@code r} is rank {@code r}'s collective, to be used by one thread.
     *
     * @param timeout how long a rank waits for its neighbour to make progress before failing
     * @param size the number of ranks, at least 1
     * @return the collectives, rank order
     */
    public static List<Collective> group(int size, Duration timeout) {
        if (size < 1) {
            throw new IllegalArgumentException("a group needs at least one rank, was " + size);
        }
        Objects.requireNonNull(timeout, "timeout");
        List<BlockingQueue<Object>> inbox = new ArrayList<>();
        List<AtomicBoolean> left = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            inbox.add(new ArrayBlockingQueue<>(QUEUE_CHUNKS));
            left.add(new AtomicBoolean());
        }
        List<Collective> members = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            int next = (r + 1) % size;
            int prev = Math.floorMod(r - 1, size);
            QueueLink link = new QueueLink(r, prev, next, inbox.get(next), inbox.get(r), left, timeout);
            members.add(new Ring(r, size, link, timeout));
        }
        return List.copyOf(members);
    }


    /** Queues to the next rank and from the previous one; a rank that left is seen within {@link #POLL_MILLIS}. */
    private static final class QueueLink implements RingLink {
        private final int rank;
        private final int prev;
        private final int next;
        private final BlockingQueue<Object> toNext;
        private final BlockingQueue<Object> fromPrev;
        private final List<AtomicBoolean> left;
        private final long timeoutNanos;
        private final Duration timeout;

        QueueLink(int rank, int prev, int next, BlockingQueue<Object> toNext, BlockingQueue<Object> fromPrev,
                  List<AtomicBoolean> left, Duration timeout) {
            this.rank = rank;
            this.prev = prev;
            this.next = next;
            this.toNext = toNext;
            this.fromPrev = fromPrev;
            this.left = left;
            this.timeout = timeout;
            this.timeoutNanos = timeout.toNanos();
        }

        @Override
        public void sendHeader(int[] header) {
            put(header.clone());
        }

        @Override
        public int[] receiveHeader() {
            Object o = take();
            if (!(o instanceof int[] h)) {
                throw new CollectiveException("rank " + rank + " expected an operation header from " + describePrevious()
                        + " but got data: the ranks' collective calls are out of step", prev, "thread", false, null);
            }
            return h;
        }

        @Override
        public void send(float[] data, int from, int to) {
            for (int i = from; i < to; i += Ring.CHUNK) {
                put(Arrays.copyOfRange(data, i, Math.min(to, i + Ring.CHUNK)));
            }
        }

        @Override
        public void receive(float[] data, int from, int to, boolean add) {
            int i = from;
            while (i < to) {
                Object o = take();
                if (!(o instanceof float[] chunk) || chunk.length > to - i) {
                    throw new CollectiveException("rank " + rank + " received a message of the wrong kind or size from "
                            + describePrevious() + ": the ranks' collective calls are out of step", prev, "thread", false, null);
                }
                if (add) {
                    for (int k = 0; k < chunk.length; k++) {
                        data[i + k] += chunk[k];
                    }
                } else {
                    System.arraycopy(chunk, 0, data, i, chunk.length);
                }
                i += chunk.length;
            }
        }

        private void put(Object message) {
            long deadline = System.nanoTime() + timeoutNanos;
            try {
                while (!toNext.offer(message, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    if (left.get(next).get()) {
                        throw new CollectiveException("rank " + rank + ": " + describeNext() + " left the group",
                                next, "thread", false, null);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new CollectiveException("rank " + rank + ": " + describeNext() + " took nothing for "
                                + timeout + "; it is stuck or has failed", next, "thread", true, null);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CollectiveException("rank " + rank + " was interrupted sending to " + describeNext(), next,
                        "thread", false, e);
            }
        }

        private Object take() {
            long deadline = System.nanoTime() + timeoutNanos;
            try {
                while (true) {
                    Object o = fromPrev.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    if (o != null) {
                        return o;
                    }
                    if (left.get(prev).get() && fromPrev.isEmpty()) {
                        throw new CollectiveException("rank " + rank + ": " + describePrevious()
                                + " left the group (it failed or closed its collective)", prev, "thread", false, null);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new CollectiveException("rank " + rank + ": " + describePrevious() + " sent nothing for "
                                + timeout + "; it is stuck or has failed", prev, "thread", true, null);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CollectiveException("rank " + rank + " was interrupted receiving from " + describePrevious(),
                        prev, "thread", false, e);
            }
        }

        @Override
        public String describePrevious() {
            return "rank " + prev + " (thread)";
        }

        @Override
        public String describeNext() {
            return "rank " + next + " (thread)";
        }

        @Override
        public void close() {
            left.get(rank).set(true);
        }
    }
}
