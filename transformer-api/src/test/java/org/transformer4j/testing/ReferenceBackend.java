package org.transformer4j.testing;

import java.util.List;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.Backend;
import org.transformer4j.backend.Capabilities;
import org.transformer4j.backend.EngineOptions;

/**
 * The scalar reference backend ({@code reference}, priority 0, inference only, always available). It is a test
 * helper, deliberately not registered with the {@link java.util.ServiceLoader}: tests construct it directly.
 */
public final class ReferenceBackend implements Backend {
    /** The backend's name. */
    public static final String NAME = "reference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, true, List.of("cpu"));
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    /** Opens a {@link ReferenceEngine}; threads, device and seed do not matter to it (one thread, no randomness). */
    @Override
    public ReferenceEngine open(EngineOptions options) {
        return new ReferenceEngine();
    }
}
