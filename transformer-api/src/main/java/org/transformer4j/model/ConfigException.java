package org.transformer4j.model;

/**
 * A model configuration that is invalid or contradicts itself; the message names the field (as spelled in
 * config.json) and the offending value, and says what would be valid.
 */
public class ConfigException extends IllegalArgumentException {
    /**
     * An invalid config.
     *
     * @param message the field, its value and what it must be
     */
    public ConfigException(String message) {
        super(message);
    }

    /**
     * An invalid config, found by a lower-level failure (e.g. a JSON parse error).
     *
     * @param message the field, its value and what it must be
     * @param cause the failure
     */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
