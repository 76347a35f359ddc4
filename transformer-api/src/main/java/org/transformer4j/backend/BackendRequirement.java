package org.transformer4j.backend;

/**
 * What the caller needs a backend to do, so that, for example, the training code gets the best
 * available backend that trains rather than the best one overall.
 */
public enum BackendRequirement {
    /** Any available backend. */
    ANY("run"),
    /** A backend whose {@link Capabilities#trains()} is true. */
    TRAINING("train"),
    /** A backend whose {@link Capabilities#infers()} is true. */
    INFERENCE("infer");

    private final String verb;

    BackendRequirement(String verb) {
        this.verb = verb;
    }

    /** True when a backend with {@code capabilities} (null: unknown) satisfies this requirement. */
    public boolean isMetBy(Capabilities capabilities) {
        return switch (this) {
            case ANY -> true;
            case TRAINING -> capabilities != null && capabilities.trains();
            case INFERENCE -> capabilities != null && capabilities.infers();
        };
    }

    /** The verb for messages: "run", "train" or "infer". */
    public String verb() {
        return verb;
    }
}
