package org.transformer4j.tokenizer;

import java.util.List;

/**
 * A Hugging Face normalizer: rewrites each piece of text between added tokens before it is pre-tokenized.
 * Supported: the Unicode normalization forms ({@link Unicode}: NFC, NFD, NFKC, NFKD) and {@link Sequence}.
 */
interface Normalizer {
    /** The normalized text. */
    String normalize(String s);

    /** NFC, NFD, NFKC or NFKD, by {@link java.text.Normalizer}. */
    record Unicode(java.text.Normalizer.Form form) implements Normalizer {
        @Override
        public String normalize(String s) {
            return java.text.Normalizer.normalize(s, form);
        }
    }

    /** Each normalizer in turn. */
    record Sequence(List<Normalizer> steps) implements Normalizer {
        public Sequence {
            steps = List.copyOf(steps);
        }

        @Override
        public String normalize(String s) {
            for (Normalizer n : steps) {
                s = n.normalize(s);
            }
            return s;
        }
    }
}
