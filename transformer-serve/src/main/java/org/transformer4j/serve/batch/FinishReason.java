package org.transformer4j.serve.batch;

/** Why a {@link Sequence} left the batch. */
public enum FinishReason {
    /** It chose one of its stop tokens (for example end-of-sequence). */
    STOP,
    /** It produced its {@code maxNewTokens}. */
    LENGTH,
    /** Its owner {@link Sequence#cancel() cancelled} it (a stop string was found, or the client went away). */
    CANCELLED,
    /** Its deadline passed, in the queue or while decoding. */
    TIMEOUT,
    /** The runtime failed on the batch it was in; see the error given with it. */
    ERROR
}
