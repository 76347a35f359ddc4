package org.transformer4j.examples.dates;

import java.util.Objects;

/**
 * One translation example: a {@code source} text and the {@code target} text a model should produce from it.
 * Neither may contain a tab or a line break, so that a pair is always one line of a TSV file
 * ({@link DatePairsTsv}).
 */
public record Pair(String source, String target) {

    /** Checks that both texts are non-empty and hold no tab, carriage return or line feed. */
    public Pair {
        check("source", source);
        check("target", target);
    }

    private static void check(String field, String text) {
        Objects.requireNonNull(text, field);
        if (text.isEmpty()) {
            throw new IllegalArgumentException("pair " + field + " is empty; both source and target need text");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r') {
                throw new IllegalArgumentException("pair " + field + " '" + text.replace("\t", "\\t")
                        .replace("\n", "\\n").replace("\r", "\\r") + "' holds a tab or line break at index " + i
                        + "; a pair must fit on one TSV line");
            }
        }
    }
}
