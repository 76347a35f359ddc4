package org.transformer4j.nn;

/**
 * Where layer norm sits in a block: {@code POST} normalizes after each residual sum (the original
 * paper), {@code PRE} normalizes each sub-layer's input and adds a final norm (GPT-2, nanoGPT).
 * In config.json: {@code "pre"} or {@code "post"}.
 */
public enum NormPlacement {
    /** Norm before each sub-layer, plus a final norm (GPT-2, nanoGPT). */
    PRE,
    /** Norm after each residual sum (the original paper). */
    POST;

    /**
     * The value in config.json: the constant's name in lower case.
     *
     * @return {@code pre} or {@code post}
     */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
