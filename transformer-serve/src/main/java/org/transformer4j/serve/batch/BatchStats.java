package org.transformer4j.serve.batch;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Running totals of a {@link ContinuousBatcher}, for metrics: decode steps and their batch sizes (a histogram with
 * power-of-two bounds), prefills, prompt and generated tokens, and the time spent in the runtime. Updated by the
 * batcher's thread, read by any thread.
 */
public final class BatchStats {
    /** Upper bounds of the batch-size histogram buckets (the last bucket is everything above). */
    public static final int[] BATCH_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong stepRows = new AtomicLong();
    private final AtomicLong stepNanos = new AtomicLong();
    private final AtomicLong prefills = new AtomicLong();
    private final AtomicLong prefillNanos = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLongArray batchBuckets = new AtomicLongArray(BATCH_BOUNDS.length + 1);

    void recordStep(int rows, long nanos) {
        steps.incrementAndGet();
        stepRows.addAndGet(rows);
        stepNanos.addAndGet(nanos);
        int b = 0;
        while (b < BATCH_BOUNDS.length && rows > BATCH_BOUNDS[b]) {
            b++;
        }
        batchBuckets.incrementAndGet(b);
    }

    void recordPrefill(int promptTokenCount, long nanos) {
        prefills.incrementAndGet();
        prefillNanos.addAndGet(nanos);
        promptTokens.addAndGet(promptTokenCount);
    }

    void recordTokens(int count) {
        generatedTokens.addAndGet(count);
    }

    /** Decode steps run (each feeds one token to every row of the batch). */
    public long steps() {
        return steps.get();
    }

    /** Sum of the batch sizes of all decode steps. */
    public long stepRows() {
        return stepRows.get();
    }

    /** Nanoseconds spent in the runtime's decode steps. */
    public long stepNanos() {
        return stepNanos.get();
    }

    /** Prefills run (each runs the prompts admitted together). */
    public long prefills() {
        return prefills.get();
    }

    /** Nanoseconds spent in the runtime's prefills. */
    public long prefillNanos() {
        return prefillNanos.get();
    }

    /** Prompt tokens prefilled. */
    public long promptTokens() {
        return promptTokens.get();
    }

    /** Tokens generated (sampled), over all sequences. */
    public long generatedTokens() {
        return generatedTokens.get();
    }

    /** Decode steps whose batch size was at most {@code BATCH_BOUNDS[i]} and above the previous bound. */
    public long batchBucket(int i) {
        return batchBuckets.get(i);
    }
}
