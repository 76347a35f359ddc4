package org.transformer4j.cpu.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits a loop over {@code [0, n)} across a fixed set of worker threads, the calling thread doing
 * the first chunk. Kernels take one of these so the thread count is a setting of the engine, not a
 * global. {@link #sequential()} runs everything on the caller. Close it to stop the workers.
 */
public final class Parallelism implements AutoCloseable {
    private static final Parallelism SEQUENTIAL = new Parallelism(1);
    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    /** The pool whose worker the current thread is, if any (a nested loop there must not wait on the pool). */
    private static final ThreadLocal<Parallelism> WORKER_OF = new ThreadLocal<>();

    /** The body of a parallel loop: handles indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService workers;

    private Parallelism(int threads) {
        this.threads = threads;
        if (threads > 1) {
            int pool = POOL_IDS.incrementAndGet();
            AtomicInteger ids = new AtomicInteger();
            ThreadFactory factory = r -> {
                Runnable marked = () -> {
                    WORKER_OF.set(this);
                    r.run();
                };
                Thread t = new Thread(marked, "transformer4j-cpu-" + pool + "-" + ids.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.workers = Executors.newFixedThreadPool(threads - 1, factory);
        } else {
            this.workers = null;
        }
    }

    /** A pool of {@code threads} threads in all (the caller counts as one); 1 means sequential. */
    public static Parallelism of(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        return threads == 1 ? SEQUENTIAL : new Parallelism(threads);
    }

    /** Runs everything on the calling thread. */
    public static Parallelism sequential() {
        return SEQUENTIAL;
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks whose
     * boundaries are multiples of {@code grain} (except the end); returns when all are done.
     * An exception in any chunk is rethrown here. Called from inside a chunk of this same pool (a
     * nested loop), it runs the whole range on the calling thread.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int units = (n + g - 1) / g;
        int parts = Math.min(threads, units);
        // On one of this pool's own workers (a kernel called from inside a parallel loop), run inline:
        // queueing chunks would wait on workers that may all be busy waiting too, a deadlock.
        if (parts <= 1 || workers == null || WORKER_OF.get() == this) {
            body.run(0, n);
            return;
        }
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int from = Math.min(n, (int) ((long) units * p / parts) * g);
            int to = Math.min(n, (int) ((long) units * (p + 1) / parts) * g);
            futures[p - 1] = workers.submit(() -> body.run(from, to));
        }
        RuntimeException failure = null;
        try {
            body.run(0, Math.min(n, (int) ((long) units / parts) * g));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a parallel kernel", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    Throwable c = e.getCause();
                    failure = c instanceof RuntimeException re ? re : new IllegalStateException(c);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** {@link #forRange(int, int, RangeBody)} with a grain of 1. */
    public void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
