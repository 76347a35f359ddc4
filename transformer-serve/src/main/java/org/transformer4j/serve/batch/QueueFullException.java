package org.transformer4j.serve.batch;

/** The {@link ContinuousBatcher}'s waiting queue is full: the caller should try again later (HTTP 429). */
public final class QueueFullException extends Exception {

    public QueueFullException(int maxQueue) {
        super("the server is at capacity: " + maxQueue + " requests are already waiting for a batch slot; retry later");
    }
}
