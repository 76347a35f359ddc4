package org.transformer4j.train.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@link Collective}s between processes: a ring over TCP ({@code java.nio} sockets), rank {@code r} connected to
 * rank {@code r+1} and accepting rank {@code r-1}. All-reduce is the bandwidth-optimal ring (each rank sends
 * {@code 2(N-1)/N} of the buffer; see {@link Ring}), streamed in chunks so sending, receiving and adding overlap.
 *
 * <p>Setting up: every rank first opens its listening socket ({@link #listen}), the ranks exchange the addresses
 * (e.g. through Spark's {@code BarrierTaskContext.allGather}), then each calls {@link #connect}. A connection carries
 * a handshake with the group id, the rank and the group size, so a connection from another job or an earlier attempt
 * is refused. Every wait (connect, accept, read, write) fails after {@code timeout} without progress with a
 * {@link CollectiveException} naming the peer's rank and address; a peer that dies closes its sockets and its
 * neighbours fail at once.
 */
public final class TcpCollective {
    private static final int MAGIC = 0x74346a63; // "t4jc"
    private static final int SOCKET_BUFFER = 4 << 20;

    private TcpCollective() {
    }

    /**
     * A listening socket on {@code host}, on a free port, for {@link #connect}.
     *
     * @param host the address to listen on: one the other ranks can reach
     * @return the open channel, to pass to {@link #connect}
     */
    public static ServerSocketChannel listen(InetAddress host) {
        try {
            ServerSocketChannel server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            server.bind(new InetSocketAddress(host, 0));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ": " + e.getMessage(), e);
        }
    }

    /**
     * Joins the ring: connects to rank {@code rank+1} and accepts rank {@code rank-1} on {@code listener} (which this
     * collective then owns and closes).
     *
     * @param peers   every rank's listening address, in rank order ({@code peers.get(rank)} is {@code listener}'s)
     * @param groupId the same number on every rank of this group and different for any other (e.g. job and attempt)
     * @param timeout how long to wait for a peer to connect, answer or make progress
     * @param rank this replica's index, {@code 0 <= rank < peers.size()}
     * @param listener this rank's channel from {@link #listen}
     * @return the collective; close it to close the sockets
     * @throws CollectiveException if a neighbour cannot be reached or does not connect within {@code timeout}
     */
    public static Collective connect(int rank, List<InetSocketAddress> peers, ServerSocketChannel listener, long groupId,
                                     Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        int size = peers.size();
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " is not in [0, " + size + ")");
        }
        if (size == 1) {
            close(listener);
            return new Ring(0, 1, new SoloLink(), timeout);
        }
        int next = (rank + 1) % size;
        int prev = Math.floorMod(rank - 1, size);
        SocketChannel out = null;
        SocketChannel in = null;
        try {
            out = connectTo(rank, next, peers.get(next), timeout);
            ByteBuffer hello = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            hello.putInt(MAGIC).putLong(groupId).putInt(rank).putInt(size).flip();
            SocketLink.writeFully(out, hello, timeout, rank, next, peers.get(next));
            in = accept(rank, prev, peers.get(prev), listener, groupId, size, timeout);
            return new Ring(rank, size, new SocketLink(rank, prev, peers.get(prev), in, next,
                    peers.get(next), out, timeout), timeout);
        } catch (RuntimeException e) {
            close(out);
            close(in);
            throw e;
        } finally {
            close(listener);
        }
    }

    private static SocketChannel connectTo(int rank, int peer, InetSocketAddress address, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
                ch.configureBlocking(false);
                if (!ch.connect(address)) {
                    try (Selector s = Selector.open()) {
                        ch.register(s, SelectionKey.OP_CONNECT);
                        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                        s.select(left);
                        if (!ch.finishConnect()) {
                            throw new IOException("no answer");
                        }
                    }
                }
                return ch;
            } catch (IOException e) {
                last = e;
                close(ch);
                sleepQuietly(50);
            }
        }
        throw new CollectiveException("rank " + rank + " could not connect to rank " + peer + " (" + hostPort(address)
                + ") within " + timeout + (last == null ? "" : ": " + last.getMessage())
                + "; is that worker running and is the port reachable?", peer, hostPort(address), true, last);
    }

    private static SocketChannel accept(int rank, int prev, InetSocketAddress prevAddress, ServerSocketChannel listener,
                                        long groupId, int size, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Selector s = Selector.open()) {
            listener.configureBlocking(false);
            listener.register(s, SelectionKey.OP_ACCEPT);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new CollectiveException("rank " + rank + ": rank " + prev + " (" + hostPort(prevAddress)
                            + ") did not connect within " + timeout + "; that worker has not started, has failed, or"
                            + " cannot reach " + hostPort((InetSocketAddress) listener.getLocalAddress()), prev,
                            hostPort(prevAddress), true, null);
                }
                s.select(left);
                s.selectedKeys().clear();
                SocketChannel ch = listener.accept();
                if (ch == null) {
                    continue;
                }
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ByteBuffer hello = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
                try {
                    SocketLink.readFully(ch, hello, timeout, rank, prev, prevAddress);
                } catch (CollectiveException e) {
                    close(ch); // a stray connection that said nothing: keep waiting for the real one
                    continue;
                }
                hello.flip();
                if (hello.getInt() == MAGIC && hello.getLong() == groupId && hello.getInt() == prev
                        && hello.getInt() == size) {
                    return ch;
                }
                close(ch); // another job, an earlier attempt, or not us at all
            }
        } catch (IOException e) {
            throw new CollectiveException("rank " + rank + " failed waiting for rank " + prev + " ("
                    + hostPort(prevAddress) + ") to connect: " + e.getMessage(), prev, hostPort(prevAddress), false, e);
        }
    }

    static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void close(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing after a failure: the failure is what gets reported
            }
        }
    }


    /** A group of one: nothing to send. */
    private static final class SoloLink implements RingLink {
        @Override public void sendHeader(int[] header) { }
        @Override public int[] receiveHeader() { throw new IllegalStateException("a group of one receives nothing"); }
        @Override public void send(float[] data, int from, int to) { }
        @Override public void receive(float[] data, int from, int to, boolean add) {
            throw new IllegalStateException("a group of one receives nothing");
        }
        @Override public String describePrevious() { return "rank 0 (itself)"; }
        @Override public String describeNext() { return "rank 0 (itself)"; }
        @Override public void close() { }
    }

    /** Two non-blocking sockets, each waited on through its own selector so a timeout applies to every wait. */
    private static final class SocketLink implements RingLink {
        private final int rank;
        private final int prev;
        private final InetSocketAddress prevAddress;
        private final SocketChannel in;
        private final int next;
        private final InetSocketAddress nextAddress;
        private final SocketChannel out;
        private final Duration timeout;
        private final ByteBuffer sendBytes = ByteBuffer.allocateDirect(Ring.CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
        private final FloatBuffer sendFloats = sendBytes.asFloatBuffer();
        private final ByteBuffer receiveBytes = ByteBuffer.allocateDirect(Ring.CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
        private final FloatBuffer receiveFloats = receiveBytes.asFloatBuffer();
        private final float[] scratch = new float[Ring.CHUNK];
        private final Selector readSelector;
        private final Selector writeSelector;

        SocketLink(int rank, int prev, InetSocketAddress prevAddress, SocketChannel in, int next,
                   InetSocketAddress nextAddress, SocketChannel out, Duration timeout) {
            this.rank = rank;
            this.prev = prev;
            this.prevAddress = prevAddress;
            this.in = in;
            this.next = next;
            this.nextAddress = nextAddress;
            this.out = out;
            this.timeout = timeout;
            try {
                this.readSelector = Selector.open();
                this.writeSelector = Selector.open();
                in.register(readSelector, SelectionKey.OP_READ);
                out.register(writeSelector, SelectionKey.OP_WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the selectors of rank " + rank + "'s ring link", e);
            }
        }

        private void write(ByteBuffer b) {
            transfer(out, writeSelector, b, true, timeout, rank, next, nextAddress);
        }

        private void read(ByteBuffer b) {
            transfer(in, readSelector, b, false, timeout, rank, prev, prevAddress);
        }

        @Override
        public void sendHeader(int[] header) {
            ByteBuffer b = ByteBuffer.allocate(4 * header.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int h : header) {
                b.putInt(h);
            }
            write(b.flip());
        }

        @Override
        public int[] receiveHeader() {
            ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            read(b);
            b.flip();
            return new int[] {b.getInt(), b.getInt(), b.getInt()};
        }

        @Override
        public void send(float[] data, int from, int to) {
            for (int i = from; i < to; i += Ring.CHUNK) {
                int n = Math.min(to - i, Ring.CHUNK);
                sendFloats.clear();
                sendFloats.put(data, i, n);
                sendBytes.clear().limit(4 * n);
                write(sendBytes);
            }
        }

        @Override
        public void receive(float[] data, int from, int to, boolean add) {
            for (int i = from; i < to; i += Ring.CHUNK) {
                int n = Math.min(to - i, Ring.CHUNK);
                receiveBytes.clear().limit(4 * n);
                read(receiveBytes);
                if (add) {
                    receiveFloats.get(0, scratch, 0, n);
                    for (int k = 0; k < n; k++) {
                        data[i + k] += scratch[k];
                    }
                } else {
                    receiveFloats.get(0, data, i, n);
                }
            }
        }

        static void writeFully(SocketChannel ch, ByteBuffer b, Duration timeout, int rank, int peer,
                               InetSocketAddress address) {
            transfer(ch, null, b, true, timeout, rank, peer, address);
        }

        static void readFully(SocketChannel ch, ByteBuffer b, Duration timeout, int rank, int peer,
                              InetSocketAddress address) {
            transfer(ch, null, b, false, timeout, rank, peer, address);
        }

        /**
         * Writes or reads all of {@code b} on a non-blocking channel, waiting through a selector ({@code own}, already
         * registered for the channel, or one opened when the channel is not ready at once) at most {@code timeout}
         * for each bit of progress.
         */
        private static void transfer(SocketChannel ch, Selector own, ByteBuffer b, boolean write, Duration timeout,
                                     int rank, int peer, InetSocketAddress address) {
            Selector selector = own;
            try {
                while (b.hasRemaining()) {
                    int n = write ? ch.write(b) : ch.read(b);
                    if (n > 0) {
                        continue;
                    }
                    if (n < 0) {
                        throw new CollectiveException("rank " + rank + ": rank " + peer + " (" + hostPort(address)
                                + ") closed the connection; that worker failed, was killed or left the group",
                                peer, hostPort(address), false, null);
                    }
                    if (selector == null) {
                        selector = Selector.open();
                        ch.register(selector, write ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                    }
                    if (selector.select(timeout.toMillis()) == 0 && !Thread.currentThread().isInterrupted()) {
                        throw new CollectiveException("rank " + rank + ": rank " + peer + " (" + hostPort(address)
                                + (write ? ") accepted no data for " : ") sent nothing for ") + timeout
                                + "; it is stuck or has failed", peer, hostPort(address), true, null);
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new CollectiveException("rank " + rank + " was interrupted while "
                                + (write ? "sending to" : "receiving from") + " rank " + peer, peer, hostPort(address),
                                false, null);
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException e) {
                throw new CollectiveException("rank " + rank + " lost the connection to rank " + peer + " ("
                        + hostPort(address) + "): " + e.getMessage() + "; that worker failed or was killed", peer,
                        hostPort(address), false, e);
            } finally {
                if (selector != null && selector != own) {
                    TcpCollective.close(selector);
                }
            }
        }

        @Override
        public String describePrevious() {
            return "rank " + prev + " (" + hostPort(prevAddress) + ")";
        }

        @Override
        public String describeNext() {
            return "rank " + next + " (" + hostPort(nextAddress) + ")";
        }

        @Override
        public void close() {
            TcpCollective.close(in);
            TcpCollective.close(out);
            TcpCollective.close(readSelector);
            TcpCollective.close(writeSelector);
        }
    }
}
