package org.transformer4j.examples.translate;

import java.util.List;

/** Translates texts with an encoder-decoder model: {@link GreedyTranslator} or {@link BeamTranslator}. */
public interface Translator {

    /**
     * The translations of {@code sources}, in order; {@code batchSize} sources may be decoded together.
     *
     * @throws IllegalArgumentException if a source is empty, cannot be encoded, or does not fit the context
     */
    List<String> translate(List<String> sources, int batchSize);

    /** The translation of one text. */
    default String translate(String source) {
        return translate(List.of(source), 1).getFirst();
    }
}
