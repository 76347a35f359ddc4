package org.transformer4j.tokenizer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The special tokens of a tokenizer (text to id, in id order) and the search for their literal text. */
final class SpecialTokens {
    /** Receives the pieces of a text: ordinary text ranges and special token ids, in order. */
    interface Sink {
        void text(int from, int to);

        void special(int id);
    }

    private final Map<String, Integer> ids;
    private final String[] texts;

    private SpecialTokens(Map<String, Integer> ids) {
        this.ids = Collections.unmodifiableMap(ids);
        this.texts = ids.keySet().toArray(String[]::new);
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
        return new SpecialTokens(map);
    }

    /** Tokens with ids already checked by the caller, in id order. */
    static SpecialTokens of(Map<String, Integer> idsInOrder) {
        return new SpecialTokens(new LinkedHashMap<>(idsInOrder));
    }

    Map<String, Integer> asMap() {
        return ids;
    }

    boolean isEmpty() {
        return texts.length == 0;
    }

    /**
     * Cuts {@code s} into ordinary text and special tokens: leftmost occurrence first, the longest token where
     * several start at the same index. With {@code parse} false, or no special tokens, all of {@code s} is text.
     */
    void split(String s, boolean parse, Sink sink) {
        if (!parse || texts.length == 0) {
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
            sink.special(ids.get(texts[best]));
            pos = next[best] + texts[best].length();
        }
        if (pos < s.length()) {
            sink.text(pos, s.length());
        }
    }
}
