package org.transformer4j.backend;

import java.util.Objects;

/**
 * The outcome of backend selection: the backend, what discovery found about it, and why it was chosen
 * (e.g. {@code system property transformer4j.backend=cpu}), so that programs can log which backend runs and why.
 *
 * @param backend the selected backend (available, and meeting the requirement asked for)
 * @param info    its listing
 * @param source  where the choice came from, in words
 */
public record BackendChoice(Backend backend, BackendInfo info, String source) {

    /** Checks the three parts are present. */
    public BackendChoice {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(source, "source");
    }

    /**
     * The backend's name.
     *
     * @return the lower-case name, as listed
     */
    public String name() {
        return info.name();
    }
}
