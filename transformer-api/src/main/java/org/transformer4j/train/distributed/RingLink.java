package org.transformer4j.train.distributed;

/**
 * One rank's place on a ring: a channel to the next rank and one from the previous rank. {@link Ring} drives it;
 * {@link LocalCollective} and {@link TcpCollective} implement it over queues and over sockets. {@code send} and
 * {@code receive} may run at the same time on two threads; each fails with a {@link CollectiveException} naming the
 * neighbour when that neighbour disconnects or makes no progress within the timeout.
 */
interface RingLink extends AutoCloseable {

    /** Sends a small operation header to the next rank. */
    void sendHeader(int[] header);

    /** Receives the previous rank's header. */
    int[] receiveHeader();

    /** Sends {@code data[from, to)} to the next rank. */
    void send(float[] data, int from, int to);

    /** Receives {@code to - from} floats from the previous rank into {@code data[from, to)}, added or overwritten. */
    void receive(float[] data, int from, int to, boolean add);

    /** The previous rank's rank and address, for messages. */
    String describePrevious();

    /** The next rank's rank and address, for messages. */
    String describeNext();

    @Override
    void close();
}
