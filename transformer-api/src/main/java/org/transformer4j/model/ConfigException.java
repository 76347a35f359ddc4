package org.transformer4j.model;

/**
 * A model configuration that is invalid or contradicts itself; the message names the field (as spelled in
 * config.json) and the offending value, and says what would be valid.
 */
public class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
