package org.transformer4j.train.distributed;

/**
 * A {@link Collective} call failed because of a peer: it disconnected, failed, called a different operation, or did not
 * answer within the timeout. {@link #peerRank()} and {@link #peerAddress()} name it, so the log of a failed distributed
 * job says which worker to look at.
 */
public final class CollectiveException extends RuntimeException {
    /** The peer to blame, or -1. */
    private final int peerRank;
    /** Where the peer is. */
    private final String peerAddress;
    /** Whether the peer stopped answering. */
    private final boolean timedOut;

    /**
     * A failed call.
     *
     * @param message what failed and what to do
     * @param peerRank the peer to blame, or -1
     * @param peerAddress where it is (host:port, or "thread" in process)
     * @param timedOut whether it stopped answering
     * @param cause the I/O error or interruption, or null
     */
    public CollectiveException(String message, int peerRank, String peerAddress, boolean timedOut, Throwable cause) {
        super(message, cause);
        this.peerRank = peerRank;
        this.peerAddress = peerAddress;
        this.timedOut = timedOut;
    }

    /**
     * The rank of the peer that failed, or -1 where no single peer is to blame.
     *
     * @return the rank, or -1
     */
    public int peerRank() {
        return peerRank;
    }

    /**
     * Where that peer is (host:port, or "thread" in process).
     *
     * @return the address
     */
    public String peerAddress() {
        return peerAddress;
    }

    /**
     * Whether the peer stopped answering (rather than disconnecting or failing).
     *
     * @return true for a timeout
     */
    public boolean timedOut() {
        return timedOut;
    }
}
