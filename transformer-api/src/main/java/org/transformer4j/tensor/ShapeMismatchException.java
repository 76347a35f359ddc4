package org.transformer4j.tensor;

/**
 * Thrown when a tensor's shape does not fit an operation. The message names the operation
 * and every shape involved, so the caller sees what was expected and what was given.
 */
public class ShapeMismatchException extends IllegalArgumentException {
    public ShapeMismatchException(String message) {
        super(message);
    }
}
