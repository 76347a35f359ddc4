package org.transformer4j.train.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.transformer4j.train.distributed.Groups.Transport;

/** Peers that never come, leave mid-way, go silent or call something else: a clear error naming the peer, no hang. */
class CollectiveFailureTest {

    @Test
    void aPeerThatNeverConnectsFailsWithATimeoutNamingIt() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocketChannel mine = TcpCollective.listen(loopback);
        // rank 1 has an address (a socket that is open but never joins), so connecting works and accepting times out
        try (ServerSocketChannel silent = TcpCollective.listen(loopback)) {
            List<InetSocketAddress> peers = List.of((InetSocketAddress) mine.getLocalAddress(),
                    (InetSocketAddress) silent.getLocalAddress());
            CollectiveException e = assertThrows(CollectiveException.class,
                    () -> TcpCollective.connect(0, peers, mine, 42L, Duration.ofMillis(300)));
            assertTrue(e.timedOut());
            assertEquals(1, e.peerRank());
            assertEquals(TcpCollective.hostPort(peers.get(1)), e.peerAddress());
            assertTrue(e.getMessage().contains("rank 1 (" + TcpCollective.hostPort(peers.get(1)) + ") did not connect"),
                    e.getMessage());
        }
        assertTrue(!mine.isOpen(), "the collective owns and closes its listening socket, also on failure");
    }

    @Test
    void aPeerWithNoListenerFailsWithATimeoutNamingIt() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocketChannel mine = TcpCollective.listen(loopback);
        ServerSocketChannel gone = TcpCollective.listen(loopback);
        InetSocketAddress goneAddress = (InetSocketAddress) gone.getLocalAddress();
        gone.close(); // nobody listens there any more: connection refused until the deadline
        List<InetSocketAddress> peers = List.of((InetSocketAddress) mine.getLocalAddress(), goneAddress);
        CollectiveException e = assertThrows(CollectiveException.class,
                () -> TcpCollective.connect(0, peers, mine, 42L, Duration.ofMillis(300)));
        assertEquals(1, e.peerRank());
        assertTrue(e.getMessage().contains("could not connect to rank 1 (" + TcpCollective.hostPort(goneAddress) + ")"),
                e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aRankThatLeavesMidWayFailsItsNeighboursPromptly(Transport transport) throws Exception {
        // rank 2 of 3 leaves after one all-reduce; the others' second all-reduce fails (long before the 60 s timeout)
        List<String> outcomes = Groups.run(transport, 3, Duration.ofSeconds(60), c -> {
            float[] data = new float[100_000];
            c.allReduce(data, Collective.Reduction.SUM);
            if (c.rank() == 2) {
                c.close();
                return "left";
            }
            CollectiveException e = assertThrows(CollectiveException.class,
                    () -> c.allReduce(data, Collective.Reduction.SUM));
            assertTrue(!e.timedOut(), e.getMessage());
            return e.peerRank() + ": " + e.getMessage();
        });
        assertEquals("left", outcomes.get(2));
        assertTrue(outcomes.get(0).startsWith("2: ") || outcomes.get(0).startsWith("1: "), outcomes.get(0));
        assertTrue(outcomes.get(1).startsWith("2: ") || outcomes.get(1).startsWith("0: "), outcomes.get(1));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aSilentPeerTimesOut(Transport transport) throws Exception {
        // rank 1 never makes the call: rank 0 fails after the timeout, naming rank 1
        List<String> outcomes = Groups.run(transport, 2, Duration.ofMillis(400), c -> {
            if (c.rank() == 1) {
                Thread.sleep(1500);
                return "silent";
            }
            CollectiveException e = assertThrows(CollectiveException.class, c::barrier);
            assertTrue(e.timedOut(), e.getMessage());
            return e.peerRank() + ": " + e.getMessage();
        });
        assertTrue(outcomes.get(0).startsWith("1: "), outcomes.get(0));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void ranksThatCallDifferentOperationsGetAClearError(Transport transport) throws Exception {
        List<String> outcomes = Groups.run(transport, 2, Duration.ofSeconds(30), c -> {
            try {
                if (c.rank() == 0) {
                    c.allReduce(new float[10], Collective.Reduction.SUM);
                } else {
                    c.broadcast(new float[10]);
                }
                return "no error";
            } catch (CollectiveException e) {
                return e.getMessage();
            }
        });
        assertTrue(outcomes.stream().anyMatch(m -> m.contains("every rank must make the same collective calls")),
                outcomes.toString());
    }
}
