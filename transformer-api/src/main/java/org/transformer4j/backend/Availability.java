package org.transformer4j.backend;

/**
 * Whether a backend can run in this JVM and, when not, why (a native library that does not load,
 * a missing JDK module...). Backends probe without throwing: a broken backend is listed, not fatal.
 *
 * @param available whether the backend can run here
 * @param reason    {@code available}, or what is missing and how to fix it
 */
public record Availability(boolean available, String reason) {

    /**
     * The backend can run here.
     *
     * @return available, with the reason {@code available}
     */
    public static Availability yes() {
        return new Availability(true, "available");
    }

    /**
     * The backend cannot run here, because of {@code reason} (say what is missing and the fix).
     *
     * @param reason what is missing and how to fix it
     * @return unavailable, with that reason
     */
    public static Availability no(String reason) {
        return new Availability(false, reason);
    }

    /**
     * Runs a probe, turning any throwable (including {@link LinkageError}) into "unavailable" with its message.
     *
     * @param check the probe, e.g. loading a class or a native library
     * @return available, or unavailable with the throwable's type and message
     */
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
        /**
         * Runs the check; returning normally means it passed.
         *
         * @throws Throwable anything, when the check fails
         */
        void run() throws Throwable;
    }
}
