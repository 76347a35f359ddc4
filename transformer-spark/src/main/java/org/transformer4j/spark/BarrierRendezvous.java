package org.transformer4j.spark;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.transformer4j.train.distributed.Collective;
import org.transformer4j.train.distributed.TcpCollective;

/**
 * Builds the replicas' TCP ring inside a Spark barrier stage: each task listens on a free port of its executor's host
 * ({@link BarrierTaskContext#getTaskInfos()} gives every task's host, in partition order), the tasks exchange their
 * ports with {@link BarrierTaskContext#allGather}, and each connects to the next rank. The group id is the stage and
 * its attempt, so a retried stage never talks to a straggler of the failed one.
 */
final class BarrierRendezvous {
    private BarrierRendezvous() {
    }

    static Collective join(BarrierTaskContext ctx, Duration timeout) {
        BarrierTaskInfo[] infos = ctx.getTaskInfos();
        int rank = ctx.partitionId();
        List<String> hosts = new ArrayList<>();
        for (BarrierTaskInfo info : infos) {
            hosts.add(host(info.address()));
        }
        ServerSocketChannel listener;
        try {
            listener = TcpCollective.listen(InetAddress.getByName(hosts.get(rank)));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("replica " + rank + " cannot resolve its own host " + hosts.get(rank), e);
        }
        String[] ports;
        try {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            ports = ctx.allGather(Integer.toString(port));
        } catch (Exception e) {
            try {
                listener.close();
            } catch (java.io.IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("replica " + rank + ": the rendezvous (allGather of the ports) failed: "
                    + e.getMessage(), e);
        }
        List<InetSocketAddress> peers = new ArrayList<>();
        for (int r = 0; r < infos.length; r++) {
            peers.add(new InetSocketAddress(hosts.get(r), Integer.parseInt(ports[r])));
        }
        long groupId = ((long) ctx.stageId() << 32) | (ctx.stageAttemptNumber() & 0xffffffffL);
        return TcpCollective.connect(rank, peers, listener, groupId, timeout);
    }

    /** The host of a task address ({@code host:port}, or a bare host; IPv6 in brackets). */
    static String host(String address) {
        if (address.startsWith("[")) {
            return address.substring(1, address.indexOf(']'));
        }
        int colon = address.lastIndexOf(':');
        return colon > 0 && address.indexOf(':') == colon ? address.substring(0, colon) : address;
    }
}
