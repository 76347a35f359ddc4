package org.transformer4j.nn;

/**
 * How token positions enter the model: fixed sine/cosine waves ("Attention Is All You Need") or a learned
 * table ({@code transformer.wpe}, as GPT-2 and nanoGPT). In config.json: {@code "sinusoidal"} or {@code "learned"}.
 */
public enum PositionalEncodingType {
    /** Fixed sine and cosine waves, no weights ("Attention Is All You Need"). */
    SINUSOIDAL,
    /** A trained table of one vector per position ({@code transformer.wpe}). */
    LEARNED;

    /**
     * The value in config.json: the constant's name in lower case.
     *
     * @return {@code sinusoidal} or {@code learned}
     */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
