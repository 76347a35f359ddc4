package org.transformer4j.backend;

/**
 * Whether a backend can run in this JVM and, when not, why (a native library that does not load,
 * a missing JDK module...). Backends probe without throwing: a broken backend is listed, not fatal.
 */
public record Availability(boolean available, String reason) {

    public static Availability yes() {
        return new Availability(true, "available");
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }

    /** Runs a probe, turning any throwable (including {@link LinkageError}) into "unavailable" with its message. */
    public static Availability probe(ThrowingRunnable check) {
        try {
            check.run();
            return yes();
        } catch (Throwable t) {
            return no(t.getClass().getSimpleName() + ": " + t.getMessage());
        }
    }

    /** A check that may throw anything. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Throwable;
    }
}
