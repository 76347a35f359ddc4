package org.transformer4j.tokenizer;

/** Makes the error for a field or line of one tokenizer file, its message naming the file and the place. */
interface FormatErrors {
    /** The error at {@code where} (a JSON field path such as {@code model.merges[4]}, or {@code line 7}). */
    TokenizerFormatException error(String where, String message);
}
