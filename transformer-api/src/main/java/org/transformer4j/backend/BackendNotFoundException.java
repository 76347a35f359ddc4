package org.transformer4j.backend;

import java.util.List;

/**
 * No backend could be selected: the requested name is unknown or unavailable, the named backend cannot
 * do what was required, or no available backend was found at all. The message says where the name came
 * from (code, system property, environment variable or {@code transformer4j.properties}), lists every
 * backend discovery found with its availability, and says how to fix it.
 */
public class BackendNotFoundException extends RuntimeException {
    private final transient List<BackendInfo> found;

    /**
     * A failed selection; {@code message} says what was asked and the fix, {@code found} is every backend listed.
     *
     * @param message what was asked, where it came from, every backend found and the fix
     * @param found   every backend discovery found
     */
    public BackendNotFoundException(String message, List<BackendInfo> found) {
        super(message);
        this.found = List.copyOf(found);
    }

    /**
     * Every backend discovery found, as listed in the message.
     *
     * @return the listing, highest priority first
     */
    public List<BackendInfo> found() {
        return found;
    }
}
