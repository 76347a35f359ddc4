package org.transformer4j.examples.dates;

import java.time.LocalDate;
import java.util.Objects;

/**
 * One generated example with what it was made from: the {@code date}, the {@code style} it is written in,
 * and the resulting {@code source} text. Its target is the date's ISO form ({@link #target()}).
 */
public record DateSample(LocalDate date, DateStyle style, String source) {

    /** Checks that no component is null. */
    public DateSample {
        Objects.requireNonNull(date, "date");
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(source, "source");
    }

    /** The target text: the date as ISO-8601 "YYYY-MM-DD" (always 10 characters for years 1900..2099). */
    public String target() {
        return date.toString();
    }

    /** The (source, target) pair a model trains on. */
    public Pair pair() {
        return new Pair(source, target());
    }
}
