package org.transformer4j.serve.batch;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptRuntime;

/**
 * Continuous batching over a {@link GptRuntime}: one thread decodes every running sequence as one batch, one token
 * per row per step, and sequences join and leave at every step. Each iteration it
 * <ol>
 *   <li>drops rows that were cancelled or ran past their deadline, and takes waiting sequences from the bounded
 *       queue while the batch has room ({@code maxBatch} rows);</li>
 *   <li>prefills the newcomers in a cache of their own (left-padded together, each with its own positions from 0
 *       and a padding mask), samples their first token and {@link GptCache#append appends} them to the running
 *       batch cache;</li>
 *   <li>runs one decode step for all rows (each at its own next position; the mask hides every row's left
 *       padding), samples each row with its own seeded sampler, and lets finished rows leave
 *       ({@link GptCache#selectRows}); padding that no row needs any more is {@link GptCache#dropFirst dropped}.</li>
 * </ol>
 * A sequence's tokens therefore do not depend on the other rows: greedy output equals the same prompt decoded
 * alone, and a seeded sample draws the same random numbers. Sequences never slide the window: {@link #submit}
 * refuses a prompt plus {@code maxNewTokens} beyond the context.
 *
 * <p>A runtime failure ends the sequences of the failing call with {@link FinishReason#ERROR}; the batcher goes on
 * with the next ones. {@link #close()} stops accepting, finishes everything queued or running, then stops the thread.
 */
public final class ContinuousBatcher implements AutoCloseable {
    private static final Logger LOG = System.getLogger(ContinuousBatcher.class.getName());

    private final GptRuntime runtime;
    private final int maxBatch;
    private final int maxQueue;
    private final int vocab;
    private final int context;
    private final BatchStats stats = new BatchStats();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workArrived = lock.newCondition();
    private final Condition becameIdle = lock.newCondition();
    private final ArrayDeque<Sequence> queue = new ArrayDeque<>();
    private boolean accepting = true;
    private boolean stopping;
    private boolean busy;
    private final Thread thread;

    // the running batch: row i of cache is rows.get(i); touched by the batcher thread only
    private GptCache cache;
    private final List<Sequence> rows = new ArrayList<>();
    private volatile int activeRows;

    /**
     * Starts a batcher thread over {@code runtime}.
     *
     * @param maxBatch most sequences decoded together (rows of the batch cache)
     * @param maxQueue most sequences waiting for a batch slot; {@link #submit} refuses more
     */
    public ContinuousBatcher(GptRuntime runtime, int maxBatch, int maxQueue) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
        }
        if (maxQueue < 0) {
            throw new IllegalArgumentException("maxQueue must be >= 0, was " + maxQueue);
        }
        this.maxBatch = maxBatch;
        this.maxQueue = maxQueue;
        this.vocab = runtime.vocabSize();
        this.context = runtime.contextLength();
        this.thread = Thread.ofPlatform().name("transformer4j-batcher").daemon(true).unstarted(this::loop);
        thread.start();
    }

    /** The runtime this batcher decodes on. */
    public GptRuntime runtime() {
        return runtime;
    }

    /** Most rows decoded together. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Most sequences waiting for a slot. */
    public int maxQueue() {
        return maxQueue;
    }

    /**
     * Queues {@code prompt} for decoding with {@code options} ({@code maxNewTokens}, sampling, seed, stop tokens;
     * stop strings are the caller's: it {@link Sequence#cancel() cancels} when it finds one).
     *
     * @param topLogprobs   -1 for no log-probabilities, else how many alternatives to report per token (0..20)
     * @param deadlineNanos the {@link System#nanoTime()} after which the sequence ends with
     *                      {@link FinishReason#TIMEOUT}
     * @throws IllegalArgumentException   for an empty prompt, an id outside the vocabulary, {@code maxNewTokens < 1}
     *                                    or a prompt plus {@code maxNewTokens} beyond the context
     * @throws QueueFullException         when {@code maxQueue} sequences are already waiting
     * @throws RejectedExecutionException once the batcher is shutting down
     */
    public Sequence submit(int[] prompt, GenerationOptions options, int topLogprobs, long deadlineNanos,
            TokenSink sink) throws QueueFullException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(sink, "sink");
        checkPrompt(prompt, options.maxNewTokens());
        if (topLogprobs < -1 || topLogprobs > 20) {
            throw new IllegalArgumentException("topLogprobs must be -1 (none) or 0..20, was " + topLogprobs);
        }
        Sequence seq = new Sequence(prompt.clone(), options, topLogprobs, deadlineNanos, sink);
        lock.lock();
        try {
            if (!accepting) {
                throw new RejectedExecutionException("the server is shutting down and accepts no new requests");
            }
            if (queue.size() >= maxQueue) {
                throw new QueueFullException(maxQueue);
            }
            queue.add(seq);
            workArrived.signal();
        } finally {
            lock.unlock();
        }
        return seq;
    }

    private void checkPrompt(int[] prompt, int maxNewTokens) {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token");
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab) {
                throw new IllegalArgumentException("token " + prompt[i] + " at position " + i
                        + " of the prompt is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1, was " + maxNewTokens);
        }
        if ((long) prompt.length + maxNewTokens > context) {
            throw new IllegalArgumentException("the prompt's " + prompt.length + " tokens plus " + maxNewTokens
                    + " new tokens exceed the model's context of " + context + " tokens; shorten the prompt or ask"
                    + " for at most " + Math.max(0, context - prompt.length) + " tokens");
        }
    }

    /** Sequences waiting for a batch slot. */
    public int queueDepth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Sequences in the running batch. */
    public int activeRows() {
        return activeRows;
    }

    /** Running totals, for metrics. */
    public BatchStats stats() {
        return stats;
    }

    /** Stops accepting new sequences ({@link #submit} throws {@link RejectedExecutionException}); the rest go on. */
    public void shutdown() {
        lock.lock();
        try {
            accepting = false;
        } finally {
            lock.unlock();
        }
    }

    /** True while new sequences are accepted. */
    public boolean accepting() {
        lock.lock();
        try {
            return accepting;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until nothing is queued or running.
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (busy || !queue.isEmpty()) {
                if (left <= 0) {
                    return false;
                }
                left = becameIdle.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting, finishes every queued and running sequence (each ends by its token limit, stop token, cancel
     * or deadline), then stops the thread and frees the cache.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            accepting = false;
            stopping = true;
            workArrived.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        List<Sequence> admitted = new ArrayList<>();
        List<Sequence> dropped = new ArrayList<>();
        while (true) {
            admitted.clear();
            dropped.clear();
            lock.lock();
            try {
                while (queue.isEmpty() && rows.isEmpty() && !stopping) {
                    busy = false;
                    becameIdle.signalAll();
                    workArrived.awaitUninterruptibly();
                }
                if (queue.isEmpty() && rows.isEmpty()) { // stopping and drained
                    busy = false;
                    becameIdle.signalAll();
                    return;
                }
                busy = true;
                long now = System.nanoTime();
                for (Iterator<Sequence> it = queue.iterator(); it.hasNext(); ) {
                    Sequence s = it.next();
                    if (s.cancelled() || now - s.deadlineNanos > 0) {
                        it.remove();
                        dropped.add(s);
                    }
                }
                while (rows.size() + admitted.size() < maxBatch && !queue.isEmpty()) {
                    admitted.add(queue.poll());
                }
            } finally {
                lock.unlock();
            }
            try {
                for (Sequence s : dropped) {
                    end(s, s.cancelled() ? FinishReason.CANCELLED : FinishReason.TIMEOUT, null);
                }
                long now = System.nanoTime();
                for (Sequence s : rows) {
                    if (s.cancelled()) {
                        finish(s, FinishReason.CANCELLED);
                    } else if (now - s.deadlineNanos > 0) {
                        finish(s, FinishReason.TIMEOUT);
                    }
                }
                removeFinished();
                if (!admitted.isEmpty()) {
                    prefill(admitted);
                }
                if (!rows.isEmpty()) {
                    step();
                }
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "the batcher failed outside the runtime; ending the running sequences", e);
                RuntimeException error = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                failAll(error);
                for (Sequence s : admitted) {
                    if (!s.done) {
                        end(s, FinishReason.ERROR, error);
                    }
                }
            }
            activeRows = rows.size();
        }
    }

    /** Runs the newcomers' prompts in a cache of their own, samples their first tokens, joins them to the batch. */
    private void prefill(List<Sequence> newcomers) {
        int n = newcomers.size();
        int width = 0;
        int tokens = 0;
        for (Sequence s : newcomers) {
            width = Math.max(width, s.prompt.length);
            tokens += s.prompt.length;
        }
        int[][] ids = new int[n][width];
        int[][] positions = new int[n][width];
        int[][] mask = new int[n][width];
        boolean padded = false;
        for (int i = 0; i < n; i++) {
            Sequence s = newcomers.get(i);
            int pad = width - s.prompt.length;
            padded |= pad > 0;
            s.pad = pad;
            for (int j = 0; j < width; j++) {
                boolean real = j >= pad;
                ids[i][j] = s.prompt[real ? j - pad : 0];
                positions[i][j] = real ? j - pad : 0;
                mask[i][j] = real ? 1 : 0;
            }
        }
        GptCache fresh = null;
        float[] logits;
        long start = System.nanoTime();
        try {
            fresh = runtime.newCache(n);
            logits = runtime.forward(fresh, ids, positions, padded ? mask : null, true);
            checkLogits(logits, n);
        } catch (RuntimeException | Error e) {
            if (fresh != null) {
                fresh.close();
            }
            RuntimeException error = asRuntime(e, "prefill of " + n + " prompts");
            LOG.log(Level.WARNING, "the runtime failed on a prefill; ending its " + n + " sequences", e);
            for (Sequence s : newcomers) {
                end(s, FinishReason.ERROR, error);
            }
            return;
        }
        stats.recordPrefill(tokens, System.nanoTime() - start);
        int[] keep = new int[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            Sequence s = newcomers.get(i);
            sample(s, logits, i);
            if (!s.done) {
                keep[kept++] = i;
            }
        }
        for (Sequence s : newcomers) {
            if (s.done) {
                end(s, s.reason, null);
            }
        }
        if (kept == 0) {
            fresh.close();
            return;
        }
        if (kept < n) {
            fresh.selectRows(Arrays.copyOf(keep, kept));
        }
        List<Sequence> joining = new ArrayList<>(kept);
        for (int k = 0; k < kept; k++) {
            joining.add(newcomers.get(keep[k]));
        }
        if (cache == null) {
            cache = fresh;
        } else {
            int oldLength = cache.length();
            cache.append(fresh);
            if (oldLength < width) {
                for (Sequence s : rows) {
                    s.pad += width - oldLength;
                }
            } else {
                for (Sequence s : joining) {
                    s.pad += oldLength - width;
                }
            }
        }
        rows.addAll(joining);
        trimPadding();
    }

    /** Feeds every row's latest token at its own next position and samples the next one. */
    private void step() {
        int n = rows.size();
        int length = cache.length();
        int[][] ids = new int[n][1];
        int[][] positions = new int[n][1];
        boolean padded = false;
        for (int i = 0; i < n; i++) {
            Sequence s = rows.get(i);
            ids[i][0] = s.lastToken;
            positions[i][0] = s.realLength(length);
            padded |= s.pad > 0;
        }
        int[][] mask = null;
        if (padded) {
            mask = new int[n][length + 1];
            for (int i = 0; i < n; i++) {
                Arrays.fill(mask[i], rows.get(i).pad, length + 1, 1);
            }
        }
        float[] logits;
        long start = System.nanoTime();
        try {
            logits = runtime.forward(cache, ids, positions, mask, true);
            checkLogits(logits, n);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "the runtime failed on a decode step; ending its " + n + " sequences", e);
            failAll(asRuntime(e, "decode step of " + n + " rows"));
            return;
        }
        stats.recordStep(n, System.nanoTime() - start);
        for (int i = 0; i < n; i++) {
            sample(rows.get(i), logits, i);
        }
        removeFinished();
    }

    /** Picks row {@code i}'s next token, tells its sink, and marks it done at a stop token or its limit. */
    private void sample(Sequence s, float[] logits, int i) {
        int offset = i * vocab;
        int next = s.sampler.next(logits, offset, vocab);
        s.lastToken = next;
        s.produced++;
        stats.recordTokens(1);
        try {
            s.sink.onToken(s.topLogprobs < 0 ? SampledToken.of(next) : Logprobs.of(logits, offset, vocab, next,
                    s.topLogprobs));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a token sink failed; cancelling its sequence", e);
            finish(s, FinishReason.CANCELLED);
            return;
        }
        if (s.options.stopTokens().contains(next)) {
            finish(s, FinishReason.STOP);
        } else if (s.produced >= s.options.maxNewTokens()) {
            finish(s, FinishReason.LENGTH);
        }
    }

    private static void finish(Sequence s, FinishReason reason) {
        if (!s.done) {
            s.done = true;
            s.reason = reason;
        }
    }

    /** Ends and drops the rows marked done, then drops padding no row needs. */
    private void removeFinished() {
        int n = rows.size();
        int[] keep = new int[n];
        int kept = 0;
        List<Sequence> left = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Sequence s = rows.get(i);
            if (s.done) {
                end(s, s.reason, null);
            } else {
                keep[kept++] = i;
                left.add(s);
            }
        }
        if (kept == n) {
            return;
        }
        rows.clear();
        rows.addAll(left);
        if (kept == 0) {
            cache.close();
            cache = null;
            return;
        }
        cache.selectRows(Arrays.copyOf(keep, kept));
        trimPadding();
    }

    private void trimPadding() {
        int min = Integer.MAX_VALUE;
        for (Sequence s : rows) {
            min = Math.min(min, s.pad);
        }
        if (min > 0 && min != Integer.MAX_VALUE) {
            cache.dropFirst(min);
            for (Sequence s : rows) {
                s.pad -= min;
            }
        }
    }

    private void failAll(RuntimeException error) {
        for (Sequence s : rows) {
            end(s, FinishReason.ERROR, error);
        }
        rows.clear();
        if (cache != null) {
            try {
                cache.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not free the batch cache after a failure", e);
            }
            cache = null;
        }
    }

    private static void end(Sequence s, FinishReason reason, RuntimeException error) {
        s.done = true;
        s.reason = reason;
        try {
            s.sink.onEnd(reason, error);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a token sink failed on its end notice", e);
        }
    }

    private void checkLogits(float[] logits, int n) {
        if (logits.length != n * vocab) {
            throw new IllegalStateException("the runtime returned " + logits.length + " logits for " + n
                    + " rows of vocabulary " + vocab + " (expected " + (long) n * vocab + ")");
        }
    }

    private static RuntimeException asRuntime(Throwable e, String what) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException("the runtime failed on a " + what + ": " + e, e);
    }
}
