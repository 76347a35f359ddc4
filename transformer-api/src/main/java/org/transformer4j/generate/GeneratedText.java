package org.transformer4j.generate;

import java.util.Arrays;

/**
 * What {@link TextGenerator} produced.
 *
 * @param text       the generated text (prompt not included), cut before the stop string when one was found
 * @param tokens     every generated token id, including those of the stop string and a final stop token
 * @param stopString the stop string that ended generation, or null (token limit, stop token or callback)
 */
public record GeneratedText(String text, int[] tokens, String stopString) {

    /** Copies the tokens. */
    public GeneratedText {
        tokens = tokens.clone();
    }

    /**
     * The generated token ids (a copy).
     *
     * @return the token ids
     */
    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeneratedText g && text.equals(g.text) && Arrays.equals(tokens, g.tokens)
                && java.util.Objects.equals(stopString, g.stopString);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return "GeneratedText[" + text + ", " + tokens.length + " tokens, stop=" + stopString + "]";
    }
}
