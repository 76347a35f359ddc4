package org.transformer4j.tensor;

/**
 * Thrown when a tensor's shape does not fit an operation. The message names the operation
 * and every shape involved, so the caller sees what was expected and what was given.
 */
public class ShapeMismatchException extends IllegalArgumentException {
    /**
     * A mismatch; the message names the operation and the shapes.
     *
     * @param message what was expected and what was given
     */
    public ShapeMismatchException(String message) {
        super(message);
    }
}
