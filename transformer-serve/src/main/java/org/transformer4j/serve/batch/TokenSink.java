package org.transformer4j.serve.batch;

/**
 * Receives what the {@link ContinuousBatcher} produces for one {@link Sequence}. Called on the batcher's thread:
 * implementations must be quick and must not block (hand the token to another thread, as the HTTP layer does).
 */
public interface TokenSink {

    /** A new token was chosen for the sequence (with its log-probabilities when they were asked for). */
    void onToken(SampledToken token);

    /**
     * The sequence left the batch; called exactly once, after its last {@link #onToken}.
     *
     * @param error the runtime's failure when {@code reason} is {@link FinishReason#ERROR}, else null
     */
    void onEnd(FinishReason reason, RuntimeException error);
}
