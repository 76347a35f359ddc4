package org.transformer4j.train;

/**
 * Training produced a NaN or infinite loss or gradient. The run stops before the bad update is applied or
 * saved, so the last checkpoint stays the last good one; lower the learning rate or check the data.
 */
public class TrainingDivergedException extends RuntimeException {
    /**
     * A diverged run.
     *
     * @param message the step, what went non-finite, and the fix
     */
    public TrainingDivergedException(String message) {
        super(message);
    }
}
