package org.transformer4j.backend;

/**
 * What the caller needs a backend to do, so that, for example, the training code gets the best
 * available backend that trains rather than the best one overall.
 */
public enum BackendRequirement {
    /** Any available backend. */
    ANY("run", Engine.class),
    /** A backend whose {@link Capabilities#trains()} is true: its engines are {@link TrainingEngine}s. */
    TRAINING("train", TrainingEngine.class),
    /** A backend whose {@link Capabilities#infers()} is true: its engines are {@link InferenceEngine}s. */
    INFERENCE("infer from weights", InferenceEngine.class),
    /** A backend whose {@link Capabilities#servesExported()} is true: its engines are {@link ServingEngine}s. */
    SERVING("serve exported graphs", ServingEngine.class);

    private final String verb;
    private final Class<? extends Engine> engineType;

    BackendRequirement(String verb, Class<? extends Engine> engineType) {
        this.verb = verb;
        this.engineType = engineType;
    }

    /**
     * True when a backend with {@code capabilities} (null: unknown) satisfies this requirement.
     *
     * @param capabilities a backend's capabilities, or null when it could not be asked
     * @return true when such a backend can do what this requirement asks
     */
    public boolean isMetBy(Capabilities capabilities) {
        return switch (this) {
            case ANY -> true;
            case TRAINING -> capabilities != null && capabilities.trains();
            case INFERENCE -> capabilities != null && capabilities.infers();
            case SERVING -> capabilities != null && capabilities.servesExported();
        };
    }

    /**
     * The verb for messages: "run", "train", "infer from weights" or "serve exported graphs".
     *
     * @return the verb
     */
    public String verb() {
        return verb;
    }

    /**
     * The capability interface the engines of a backend meeting this requirement implement.
     *
     * @return {@link Engine}, {@link TrainingEngine}, {@link InferenceEngine} or {@link ServingEngine}
     */
    public Class<? extends Engine> engineType() {
        return engineType;
    }
}
