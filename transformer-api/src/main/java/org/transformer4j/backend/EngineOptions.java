package org.transformer4j.backend;

/**
 * How to open an {@link Engine}: worker threads (0 means one per core), device ({@code cpu},
 * {@code gpu:0}; null means the backend's default), and the seed for dropout and sampling.
 *
 * @param threads worker threads, at least 0 (0: one per core)
 * @param device  the device, or null for the backend's default
 * @param seed    the seed of dropout and sampling
 */
public record EngineOptions(int threads, String device, long seed) {

    /** Checks the thread count is not negative. */
    public EngineOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = one per core), was " + threads);
        }
    }

    /**
     * One thread per core, default device, seed 1337.
     *
     * @return the defaults
     */
    public static EngineOptions defaults() {
        return new EngineOptions(0, null, 1337L);
    }

    /**
     * These options with another thread count.
     *
     * @param t threads, at least 0 (0: one per core)
     * @return new options
     */
    public EngineOptions withThreads(int t) {
        return new EngineOptions(t, device, seed);
    }

    /**
     * These options on another device.
     *
     * @param d the device, or null for the backend's default
     * @return new options
     */
    public EngineOptions withDevice(String d) {
        return new EngineOptions(threads, d, seed);
    }

    /**
     * These options with another seed.
     *
     * @param s the seed of dropout and sampling
     * @return new options
     */
    public EngineOptions withSeed(long s) {
        return new EngineOptions(threads, device, s);
    }

    /**
     * The thread count to use: {@link #threads()} or, when 0, the number of available processors.
     *
     * @return at least 1
     */
    public int effectiveThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
