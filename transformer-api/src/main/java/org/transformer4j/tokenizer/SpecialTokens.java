package org.transformer4j.tokenizer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The added tokens of a tokenizer (text to id, in id order; each special or not) and the search for their
 * literal text. Special tokens (such as {@code <|endoftext|>}) are matched only when the caller asks for it;
 * added tokens that are not special (Hugging Face's {@code "special": false}) are always matched, as there.
 */
final class SpecialTokens {
    /** Receives the pieces of a text: ordinary text ranges and special token ids, in order. */
    interface Sink {
        void text(int from, int to);

        void special(int id);
    }

    private final Map<String, Integer> all;
    private final Map<String, Integer> special;
    private final Set<String> normalized;
    // the texts looked for: [parse special tokens ? 1 : 0][in normalized text ? 1 : 0]
    private final String[][][] texts = new String[2][2][];

    private SpecialTokens(Map<String, Integer> ids, Set<String> notSpecial, Set<String> normalized) {
        this.all = Collections.unmodifiableMap(ids);
        Map<String, Integer> sp = new LinkedHashMap<>(ids);
        sp.keySet().removeAll(notSpecial);
        this.special = Collections.unmodifiableMap(sp);
        this.normalized = Set.copyOf(normalized);
        for (int parse = 0; parse < 2; parse++) {
            for (int norm = 0; norm < 2; norm++) {
                boolean p = parse == 1;
                boolean n = norm == 1;
                texts[parse][norm] = ids.keySet().stream()
                        .filter(t -> (p || notSpecial.contains(t)) && this.normalized.contains(t) == n)
                        .toArray(String[]::new);
            }
        }
    }

    /** The tokens {@code texts} with ids {@code firstId, firstId + 1, ...}; fails on empty or repeated texts. */
    static SpecialTokens numbered(List<String> texts, int firstId) {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (String t : texts) {
            if (t == null || t.isEmpty()) {
                throw new IllegalArgumentException("special tokens must be non-empty strings; got "
                        + (t == null ? "null" : "\"\"") + " in " + texts);
            }
            if (map.putIfAbsent(t, firstId + map.size()) != null) {
                throw new IllegalArgumentException("special token \"" + t + "\" is listed twice in " + texts);
            }
        }
        return new SpecialTokens(map, Set.of(), Set.of());
    }

    /** Special tokens with ids already checked by the caller, in id order. */
    static SpecialTokens of(Map<String, Integer> idsInOrder) {
        return of(idsInOrder, Set.of(), Set.of());
    }

    /**
     * Added tokens with ids already checked by the caller, in id order; those in {@code notSpecial} are not
     * special, those in {@code normalized} are looked for in normalized text (Hugging Face's
     * {@code "normalized": true}), the others in the raw text.
     */
    static SpecialTokens of(Map<String, Integer> idsInOrder, Set<String> notSpecial, Set<String> normalized) {
        return new SpecialTokens(new LinkedHashMap<>(idsInOrder), notSpecial, normalized);
    }

    /** Whether the added token {@code text} is looked for in normalized text. */
    boolean isNormalized(String text) {
        return normalized.contains(text);
    }

    /** The special tokens, text to id, in id order. */
    Map<String, Integer> asMap() {
        return special;
    }

    /** All added tokens, special or not, text to id, in id order. */
    Map<String, Integer> all() {
        return all;
    }

    /** Whether the added token {@code text} is special. */
    boolean isSpecial(String text) {
        return special.containsKey(text);
    }

    /**
     * Cuts {@code s} into ordinary text and special tokens: leftmost occurrence first, the longest token where
     * several start at the same index. With {@code parse} false only the added tokens that are not special are
     * looked for; with {@code inNormalized} only those marked normalized, else only the others.
     */
    void split(String s, boolean parse, boolean inNormalized, Sink sink) {
        String[] texts = this.texts[parse ? 1 : 0][inNormalized ? 1 : 0];
        if (texts.length == 0) {
            if (!s.isEmpty()) {
                sink.text(0, s.length());
            }
            return;
        }
        int[] next = new int[texts.length];
        for (int k = 0; k < texts.length; k++) {
            next[k] = s.indexOf(texts[k]);
        }
        int pos = 0;
        while (true) {
            int best = -1;
            for (int k = 0; k < texts.length; k++) {
                if (next[k] >= 0 && next[k] < pos) {
                    next[k] = s.indexOf(texts[k], pos);
                }
                if (next[k] >= 0 && (best < 0 || next[k] < next[best]
                        || (next[k] == next[best] && texts[k].length() > texts[best].length()))) {
                    best = k;
                }
            }
            if (best < 0) {
                break;
            }
            if (next[best] > pos) {
                sink.text(pos, next[best]);
            }
            sink.special(all.get(texts[best]));
            pos = next[best] + texts[best].length();
        }
        if (pos < s.length()) {
            sink.text(pos, s.length());
        }
    }
}
