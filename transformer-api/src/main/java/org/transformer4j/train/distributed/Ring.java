package org.transformer4j.train.distributed;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ring algorithms every {@link Collective} here shares, over a {@link RingLink}:
 * <ul>
 *   <li>all-reduce as reduce-scatter then all-gather (Patarasuk and Yuan): the buffer is cut into {@code N} segments;
 *   in {@code N-1} steps each rank sends one segment to the next rank while adding the segment received from the
 *   previous one, after which rank {@code r} holds the full sum of segment {@code r+1}; {@code N-1} more steps pass
 *   the summed segments around. Each rank sends {@code 2(N-1)/N} of the buffer, whatever {@code N}. Each segment is
 *   summed in one fixed order at one rank and then copied, so all ranks end with the same bits;</li>
 *   <li>broadcast as a pipeline from rank 0 along the ring;</li>
 *   <li>barrier as an all-reduce of one float.</li>
 * </ul>
 * Before every operation each rank sends a header (operation, length, sequence number) and checks the previous
 * rank's, so ranks that disagree on what they are doing fail with a clear message instead of mixing buffers.
 */
final class Ring implements Collective {
    private static final int ALL_REDUCE = 1;
    private static final int BROADCAST = 2;
    private static final int BARRIER = 3;

    private final int rank;
    private final int size;
    private final RingLink link;
    private final Duration timeout;
    private final ExecutorService sender;
    private int sequence;
    private boolean broken;
    private boolean closed;

    Ring(int rank, int size, RingLink link, Duration timeout) {
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank must be in [0, size) and size >= 1; were " + rank + " and " + size);
        }
        this.rank = rank;
        this.size = size;
        this.link = link;
        this.timeout = timeout;
        this.sender = size == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "collective-rank-" + rank + "-send");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public void allReduce(float[] data, Collective.Reduction reduction) {
        java.util.Objects.requireNonNull(reduction, "reduction");
        if (size == 1) {
            return; // the sum (and the mean) of one buffer is itself
        }
        guarded(() -> {
            handshake(ALL_REDUCE, data.length);
            int n = size;
            for (int k = 0; k < n - 1; k++) {
                exchange(data, segment(rank - k), segment(rank - k - 1), true);
            }
            if (reduction == Collective.Reduction.MEAN) {
                int s = Math.floorMod(rank + 1, n);
                for (int i = start(s, data.length), end = start(s + 1, data.length); i < end; i++) {
                    data[i] /= n;
                }
            }
            for (int k = 0; k < n - 1; k++) {
                exchange(data, segment(rank - k + 1), segment(rank - k), false);
            }
        });
    }

    @Override
    public void broadcast(float[] data) {
        if (size == 1) {
            return;
        }
        guarded(() -> {
            handshake(BROADCAST, data.length);
            for (int from = 0; from < data.length; from += CHUNK) {
                int to = Math.min(data.length, from + CHUNK);
                if (rank != 0) {
                    link.receive(data, from, to, false);
                }
                if (rank != size - 1) {
                    link.send(data, from, to);
                }
            }
        });
    }

    @Override
    public void barrier() {
        if (size == 1) {
            return;
        }
        guarded(() -> {
            handshake(BARRIER, 1);
            float[] one = {1f};
            for (int k = 0; k < size - 1; k++) {
                exchange(one, segment(rank - k), segment(rank - k - 1), true);
            }
            for (int k = 0; k < size - 1; k++) {
                exchange(one, segment(rank - k + 1), segment(rank - k), false);
            }
        });
    }

    /** Floats per piece a broadcast forwards at a time. */
    static final int CHUNK = 1 << 18;

    private int currentLength;

    private int[] segment(int s) {
        int seg = Math.floorMod(s, size);
        return new int[] {start(seg, currentLength), start(seg + 1, currentLength)};
    }

    private int start(int segment, int length) {
        return (int) ((long) segment * length / size);
    }

    private void handshake(int op, int length) {
        currentLength = length;
        int seq = sequence++;
        int[] mine = {op, length, seq};
        Future<?> sent = sender.submit(() -> link.sendHeader(mine));
        int[] theirs = link.receiveHeader();
        join(sent);
        if (theirs[0] != op || theirs[1] != length || theirs[2] != seq) {
            throw new CollectiveException("rank " + rank + " is in " + describe(mine) + " but " + link.describePrevious()
                    + " sent " + describe(theirs) + ": every rank must make the same collective calls in the same order",
                    Math.floorMod(rank - 1, size), link.describePrevious(), false, null);
        }
    }

    private static String describe(int[] h) {
        String op = switch (h[0]) {
            case ALL_REDUCE -> "allReduce";
            case BROADCAST -> "broadcast";
            case BARRIER -> "barrier";
            default -> "unknown operation " + h[0];
        };
        return op + " of " + h[1] + " floats (call #" + h[2] + ")";
    }

    /** Sends one segment to the next rank while receiving another from the previous one. */
    private void exchange(float[] data, int[] send, int[] receive, boolean add) {
        Future<?> sent = sender.submit(() -> link.send(data, send[0], send[1]));
        try {
            link.receive(data, receive[0], receive[1], add);
        } catch (RuntimeException e) {
            sent.cancel(true);
            throw e;
        }
        join(sent);
    }

    private static void join(Future<?> f) {
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("interrupted while waiting for a send", -1, "", false, e);
        }
    }

    private void guarded(Runnable op) {
        if (closed) {
            throw new IllegalStateException("this collective (rank " + rank + ") is closed");
        }
        if (broken) {
            throw new IllegalStateException("this collective (rank " + rank + ") failed earlier; close it and start a new"
                    + " group");
        }
        try {
            op.run();
        } catch (RuntimeException e) {
            broken = true;
            link.close(); // the neighbours fail now instead of after their timeouts
            throw e;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sender != null) {
            sender.shutdownNow();
        }
        link.close();
    }
}
