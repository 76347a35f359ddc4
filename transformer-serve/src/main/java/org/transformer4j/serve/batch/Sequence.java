package org.transformer4j.serve.batch;

import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.TokenSampler;

/**
 * One prompt being continued by a {@link ContinuousBatcher}: its tokens, its own sampler (so its output does not
 * depend on what else is in the batch), its deadline and its place in the batch cache. The owner only
 * {@link #cancel() cancels} it; everything else is the batcher's state, touched by the batcher's thread alone.
 */
public final class Sequence {
    final int[] prompt;
    final GenerationOptions options;
    final int topLogprobs;
    final long deadlineNanos;
    final TokenSink sink;
    final TokenSampler sampler;
    final long submittedNanos;
    private volatile boolean cancelled;

    // batcher state
    int produced;
    int lastToken;
    /** Left padding of this row in the batch cache: the cache positions before its first real token. */
    int pad;
    boolean done;
    FinishReason reason;

    Sequence(int[] prompt, GenerationOptions options, int topLogprobs, long deadlineNanos, TokenSink sink) {
        this.prompt = prompt;
        this.options = options;
        this.topLogprobs = topLogprobs;
        this.deadlineNanos = deadlineNanos;
        this.sink = sink;
        this.sampler = new TokenSampler(options);
        this.submittedNanos = System.nanoTime();
    }

    /**
     * Asks the batcher to drop this sequence at its next step (freeing its batch slot); its sink then gets
     * {@link FinishReason#CANCELLED} unless it had already ended. Safe to call from any thread, more than once.
     */
    public void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Number of real tokens of this row in the cache (prompt and fed tokens): also its next position. */
    int realLength(int cacheLength) {
        return cacheLength - pad;
    }
}
