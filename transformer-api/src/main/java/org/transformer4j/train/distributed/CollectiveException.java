package org.transformer4j.train.distributed;

/**
 * A {@link Collective} call failed because of a peer: it disconnected, failed, called a different operation, or did not
 * answer within the timeout. {@link #peerRank()} and {@link #peerAddress()} name it, so the log of a failed distributed
 * job says which worker to look at.
 */
public final class CollectiveException extends RuntimeException {
    private final int peerRank;
    private final String peerAddress;
    private final boolean timedOut;

    public CollectiveException(String message, int peerRank, String peerAddress, boolean timedOut, Throwable cause) {
        super(message, cause);
        this.peerRank = peerRank;
        this.peerAddress = peerAddress;
        this.timedOut = timedOut;
    }

    /** The rank of the peer that failed, or -1 where no single peer is to blame. */
    public int peerRank() {
        return peerRank;
    }

    /** Where that peer is (host:port, or "thread" in process). */
    public String peerAddress() {
        return peerAddress;
    }

    /** Whether the peer stopped answering (rather than disconnecting or failing). */
    public boolean timedOut() {
        return timedOut;
    }
}
