package org.transformer4j.examples.dates;

import java.util.List;

/**
 * The train, validation and test pairs made by {@link DateTranslationTask#splits}: no source text, and no
 * underlying date, appears in two of them.
 */
public record DateSplits(List<Pair> train, List<Pair> validation, List<Pair> test) {

    /** Makes unmodifiable copies of the three lists. */
    public DateSplits {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }
}
