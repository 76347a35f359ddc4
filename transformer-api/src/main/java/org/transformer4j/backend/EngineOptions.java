package org.transformer4j.backend;

/**
 * How to open an {@link Engine}: worker threads (0 means one per core), device ({@code cpu},
 * {@code gpu:0}; null means the backend's default), and the seed for dropout and sampling.
 */
public record EngineOptions(int threads, String device, long seed) {

    public EngineOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = one per core), was " + threads);
        }
    }

    /** One thread per core, default device, seed 1337. */
    public static EngineOptions defaults() {
        return new EngineOptions(0, null, 1337L);
    }

    public EngineOptions withThreads(int t) {
        return new EngineOptions(t, device, seed);
    }

    public EngineOptions withDevice(String d) {
        return new EngineOptions(threads, d, seed);
    }

    public EngineOptions withSeed(long s) {
        return new EngineOptions(threads, device, s);
    }

    /** The thread count to use: {@link #threads()} or, when 0, the number of available processors. */
    public int effectiveThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
