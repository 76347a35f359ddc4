package org.transformer4j.train.distributed;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/** Test helper: runs one task per rank on its own thread over an in-process or a loopback TCP group. */
final class Groups {
    /** A rank's work. */
    interface RankTask<T> {
        T run(Collective c) throws Exception;
    }

    enum Transport { LOCAL, TCP }

    private Groups() {
    }

    static <T> List<T> run(Transport transport, int size, Duration timeout, RankTask<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(size);
        try {
            List<Future<T>> futures = new ArrayList<>();
            if (transport == Transport.LOCAL) {
                List<Collective> group = LocalCollective.group(size, timeout);
                for (Collective c : group) {
                    futures.add(pool.submit(() -> {
                        try (c) {
                            return task.run(c);
                        }
                    }));
                }
            } else {
                InetAddress loopback = InetAddress.getLoopbackAddress();
                List<ServerSocketChannel> listeners = new ArrayList<>();
                List<InetSocketAddress> addresses = new ArrayList<>();
                for (int r = 0; r < size; r++) {
                    ServerSocketChannel l = TcpCollective.listen(loopback);
                    listeners.add(l);
                    addresses.add((InetSocketAddress) l.getLocalAddress());
                }
                long groupId = ThreadLocalRandom.current().nextLong();
                for (int r = 0; r < size; r++) {
                    int rank = r;
                    futures.add(pool.submit(() -> {
                        try (Collective c = TcpCollective.connect(rank, addresses, listeners.get(rank), groupId, timeout)) {
                            return task.run(c);
                        }
                    }));
                }
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception ex) {
                        throw ex;
                    }
                    throw e;
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
