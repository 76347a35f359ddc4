package org.transformer4j.tokenizer;

/**
 * A tokenizer.json that cannot be loaded: not JSON, an unknown type or version, a missing or malformed field,
 * duplicate tokens or ids, merges naming unknown tokens, ids with gaps. The message names the file (or the
 * source of the text) and the field.
 */
public class TokenizerFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * An error with its full message (file, field, what is wrong).
     *
     * @param message the file, the field and what is wrong
     */
    public TokenizerFormatException(String message) {
        super(message);
    }

    /**
     * An error with its full message and the parser error behind it.
     *
     * @param message the file, the field and what is wrong
     * @param cause the parser error
     */
    public TokenizerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
