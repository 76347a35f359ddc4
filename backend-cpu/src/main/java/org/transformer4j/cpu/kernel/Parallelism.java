package org.transformer4j.cpu.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Splits a loop over {@code [0, n)} across a fixed set of worker threads, the calling thread doing the first chunk.
 * Kernels take one of these so the thread count is a setting of the engine, not a global. {@link #sequential()}
 * runs everything on the caller. Close it to stop the workers.
 *
 * <p>A training step runs a few hundred loops of 0.05 to 2 ms each, so the hand-off itself must cost microseconds:
 * an idle worker spins for a short while ({@link #SPIN_NANOS}) before it parks, and the caller spins while it waits
 * for the workers' chunks, so back-to-back loops never wait for a parked thread (or a halted virtual CPU) to wake.
 * Idle for longer, every thread parks and costs nothing.
 *
 * <p>One loop at a time uses the workers. A loop started while another thread's loop holds them, or from inside a
 * chunk (a nested loop), runs whole on its calling thread: no queueing, no deadlock, and the same result, since every
 * kernel gives bit-identical results however its range is split.
 */
public final class Parallelism implements AutoCloseable {
    /** How long an idle thread spins before it parks. */
    static final long SPIN_NANOS = 100_000;
    private static final Parallelism SEQUENTIAL = new Parallelism(1);
    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    /** The pool whose worker the current thread is, if any (a nested loop there must run inline). */
    private static final ThreadLocal<Parallelism> WORKER_OF = new ThreadLocal<>();

    /** The body of a parallel loop: handles indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock inUse = new ReentrantLock();
    private volatile boolean closed;

    private Parallelism(int threads) {
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        int pool = threads > 1 ? POOL_IDS.incrementAndGet() : 0; // SEQUENTIAL is built before POOL_IDS
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            Thread t = new Thread(workers[i], "transformer4j-cpu-" + pool + "-" + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
            t.start();
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
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks whose boundaries
     * are multiples of {@code grain} (except the end); returns when all are done. An exception in any chunk is
     * rethrown here, after every chunk has finished.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int units = (n + g - 1) / g;
        int parts = Math.min(threads, units);
        if (parts <= 1 || closed || WORKER_OF.get() == this || inUse.isHeldByCurrentThread() || !inUse.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            for (int p = 1; p < parts; p++) {
                int from = Math.min(n, (int) ((long) units * p / parts) * g);
                int to = Math.min(n, (int) ((long) units * (p + 1) / parts) * g);
                workers[p - 1].post(body, from, to);
            }
            Throwable failure = null;
            try {
                body.run(0, Math.min(n, (int) ((long) units / parts) * g));
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            for (int p = 1; p < parts; p++) {
                Throwable f = workers[p - 1].awaitDone();
                if (failure == null) {
                    failure = f;
                }
            }
            switch (failure) {
                case null -> { }
                case RuntimeException re -> throw re;
                case Error err -> throw err;
                default -> throw new IllegalStateException("a parallel chunk failed", failure);
            }
        } finally {
            inUse.unlock();
        }
    }

    /** {@link #forRange(int, int, RangeBody)} with a grain of 1. */
    public void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }

    /** Stops the worker threads; loops started afterwards run on the calling thread. */
    @Override
    public void close() {
        if (this == SEQUENTIAL) {
            return;
        }
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    /** One worker thread and its mailbox: one chunk at a time, posted by the thread that holds {@code inUse}. */
    private final class Worker implements Runnable {
        Thread thread;
        private RangeBody body;
        private int from;
        private int to;
        private Throwable failure;
        /** Set by the poster after the chunk's fields (publishing them), cleared by the worker when it is done. */
        private volatile boolean pending;
        private volatile boolean parked;

        void post(RangeBody b, int f, int t) {
            body = b;
            from = f;
            to = t;
            failure = null;
            pending = true;
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        /** Waits for the posted chunk to finish; returns its exception, if any. */
        Throwable awaitDone() {
            long start = System.nanoTime();
            while (pending) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
            Throwable f = failure;
            body = null;
            return f;
        }

        @Override
        public void run() {
            WORKER_OF.set(Parallelism.this);
            while (true) {
                long idleSince = System.nanoTime();
                while (!pending) {
                    if (closed) {
                        return;
                    }
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (!pending && !closed) { // re-check after announcing: post() unparks when it sees parked
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                try {
                    body.run(from, to);
                } catch (Throwable e) {
                    failure = e;
                }
                pending = false;
            }
        }
    }
}
