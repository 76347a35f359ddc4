package org.transformer4j.backend;

import java.util.Objects;

/**
 * What discovery found about one backend, for listings and error messages: its name, priority,
 * capabilities, whether it can run here (and why not), and the class that implements it.
 * A provider that could not even be instantiated is listed too, named after its class, with
 * {@code capabilities} null and the failure as its availability reason.
 *
 * @param name           the backend's name, lower-case (the implementing class's name for a broken provider)
 * @param priority       the backend's priority ({@link Integer#MIN_VALUE} for a broken provider)
 * @param capabilities   what it can do, or null when it could not be asked
 * @param availability   whether it can run in this JVM, and why not
 * @param implementation the fully qualified name of the implementing class
 */
public record BackendInfo(String name, int priority, Capabilities capabilities, Availability availability,
        String implementation) {

    /** Checks name, availability and implementation are present. */
    public BackendInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(availability, "availability");
        Objects.requireNonNull(implementation, "implementation");
    }

    /**
     * True when the backend can run in this JVM.
     *
     * @return whether {@link #availability()} says it can run
     */
    public boolean available() {
        return availability.available();
    }

    /**
     * One line for listings: name, priority, availability (with the reason when unavailable), capabilities, class.
     *
     * @return the line
     */
    public String describe() {
        String status = availability.available() ? "available" : "UNAVAILABLE: " + availability.reason();
        if (capabilities == null && name.equals(implementation)) {
            return implementation + " (provider class): " + status;
        }
        String caps = capabilities == null ? "capabilities unknown" : capabilities.toString();
        String prio = priority == Integer.MIN_VALUE ? "-" : Integer.toString(priority);
        return name + " (priority " + prio + ", " + caps + ", " + implementation + "): " + status;
    }
}
