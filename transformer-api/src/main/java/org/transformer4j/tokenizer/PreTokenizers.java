package org.transformer4j.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face's pre-tokenizers, as its tokenizers library defines them: {@link ByteLevel}, {@link Split},
 * {@link Digits} and {@link Sequence}. Each turns one split of the text into smaller ones; empty splits are
 * dropped. The byte-level mapping that Hugging Face's ByteLevel also does is left to the BPE model, which
 * works on the UTF-8 bytes of each chunk (so nothing may follow ByteLevel in a sequence).
 */
final class PreTokenizers {
    private PreTokenizers() {
    }

    /**
     * ByteLevel: a space in front of a split that does not start with one ({@code add_prefix_space}), then
     * GPT-2's split ({@link Gpt2Splitter}) if {@code use_regex}.
     */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        @Override
        public void split(String s, Consumer<String> out) {
            String t = addPrefixSpace && !s.startsWith(" ") ? " " + s : s;
            if (!useRegex) {
                if (!t.isEmpty()) {
                    out.accept(t);
                }
                return;
            }
            Gpt2Splitter.split(t, 0, t.length(), (a, b) -> out.accept(t.substring(a, b)));
        }
    }

    /** What Split and Digits do with the matches of their pattern (Hugging Face's SplitDelimiterBehavior). */
    enum Behavior {
        /** Matches are dropped. */
        REMOVED("Removed"),
        /** Each match is a split of its own. */
        ISOLATED("Isolated"),
        /** A match joins the split before it. */
        MERGED_WITH_PREVIOUS("MergedWithPrevious"),
        /** A match joins the split after it. */
        MERGED_WITH_NEXT("MergedWithNext"),
        /** Consecutive matches form one split. */
        CONTIGUOUS("Contiguous");

        final String jsonName;

        Behavior(String jsonName) {
            this.jsonName = jsonName;
        }

        /** The behaviour named {@code name} in tokenizer.json, or null. */
        static Behavior named(String name) {
            for (Behavior b : values()) {
                if (b.jsonName.equals(name)) {
                    return b;
                }
            }
            return null;
        }

        /**
         * Emits the splits of {@code s} given its spans {@code {start, end, isMatch}} (covering it in order), as
         * Hugging Face's NormalizedString.split does.
         */
        void emit(String s, List<int[]> spans, Consumer<String> out) {
            List<int[]> kept = new ArrayList<>(spans.size()); // {start, end, remove}
            switch (this) {
                case ISOLATED -> spans.forEach(m -> kept.add(new int[] {m[0], m[1], 0}));
                case REMOVED -> spans.forEach(m -> kept.add(new int[] {m[0], m[1], m[2]}));
                case CONTIGUOUS -> {
                    boolean previous = false;
                    for (int[] m : spans) {
                        boolean match = m[2] == 1;
                        if (match == previous && !kept.isEmpty()) {
                            kept.getLast()[1] = m[1];
                        } else {
                            kept.add(new int[] {m[0], m[1], 0});
                        }
                        previous = match;
                    }
                }
                case MERGED_WITH_PREVIOUS -> {
                    boolean previous = false;
                    for (int[] m : spans) {
                        boolean match = m[2] == 1;
                        if (match && !previous && !kept.isEmpty()) {
                            kept.getLast()[1] = m[1];
                        } else {
                            kept.add(new int[] {m[0], m[1], 0});
                        }
                        previous = match;
                    }
                }
                case MERGED_WITH_NEXT -> {
                    boolean previous = false;
                    for (int i = spans.size() - 1; i >= 0; i--) {
                        int[] m = spans.get(i);
                        boolean match = m[2] == 1;
                        if (match && !previous && !kept.isEmpty()) {
                            kept.getLast()[0] = m[0];
                        } else {
                            kept.add(new int[] {m[0], m[1], 0});
                        }
                        previous = match;
                    }
                    java.util.Collections.reverse(kept);
                }
                default -> throw new AssertionError(this);
            }
            for (int[] k : kept) {
                if (k[2] == 0 && k[1] > k[0]) {
                    out.accept(s.substring(k[0], k[1]));
                }
            }
        }
    }

    /**
     * Split: the matches of a regular expression (Hugging Face's {@code Regex}, an Oniguruma pattern, compiled
     * for {@link java.util.regex} by {@link HfComponents}) or of a literal string,
     * treated by {@code behavior}; with {@code invert} the text between matches counts as the matches.
     */
    record Split(Pattern pattern, Behavior behavior, boolean invert) implements PreTokenizer {
        @Override
        public void split(String s, Consumer<String> out) {
            List<int[]> spans = new ArrayList<>();
            int yes = invert ? 0 : 1;
            int no = 1 - yes;
            if (s.isEmpty()) {
                return;
            }
            Matcher m = pattern.matcher(s);
            int prev = 0;
            while (m.find()) {
                if (prev != m.start()) {
                    spans.add(new int[] {prev, m.start(), no});
                }
                spans.add(new int[] {m.start(), m.end(), yes});
                prev = m.end();
            }
            if (prev != s.length()) {
                spans.add(new int[] {prev, s.length(), no});
            }
            behavior.emit(s, spans, out);
        }
    }

    /**
     * Digits: numeric code points (general category Nd, Nl or No, Rust's {@code char::is_numeric}) each on
     * their own ({@code individual_digits}) or in runs; the text between stays whole.
     */
    record Digits(boolean individualDigits) implements PreTokenizer {
        static boolean isNumeric(int cp) {
            int t = Character.getType(cp);
            return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
        }

        @Override
        public void split(String s, Consumer<String> out) {
            List<int[]> spans = new ArrayList<>();
            int last = 0;
            for (int i = 0; i < s.length(); ) {
                int cp = s.codePointAt(i);
                int next = i + Character.charCount(cp);
                if (isNumeric(cp)) {
                    if (last < i) {
                        spans.add(new int[] {last, i, 0});
                    }
                    spans.add(new int[] {i, next, 1});
                    last = next;
                }
                i = next;
            }
            if (last < s.length()) {
                spans.add(new int[] {last, s.length(), 0});
            }
            (individualDigits ? Behavior.ISOLATED : Behavior.CONTIGUOUS).emit(s, spans, out);
        }
    }

    /** Sequence: each pre-tokenizer splits the splits of the one before. */
    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        public Sequence {
            steps = List.copyOf(steps);
        }

        @Override
        public void split(String s, Consumer<String> out) {
            split(s, 0, out);
        }

        private void split(String s, int step, Consumer<String> out) {
            if (step == steps.size()) {
                out.accept(s);
            } else {
                steps.get(step).split(s, piece -> split(piece, step + 1, out));
            }
        }
    }
}
