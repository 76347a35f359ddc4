package org.transformer4j.tokenizer;

/**
 * The pre-tokenizer of {@link ByteLevelBpeTokenizer} (named {@value #NAME} in tokenizer.json): cuts text into
 * chunks that BPE merges never cross, like a simplified GPT-2 split.
 *
 * <p>A chunk is a maximal run of one class of code points: letters (with combining marks), numbers,
 * whitespace, or anything else (punctuation, symbols, controls that are not whitespace, lone surrogates).
 * A single space {@code ' '} directly before a non-whitespace run belongs to that run (so {@code " the"} is
 * one chunk); a longer whitespace run before non-whitespace text keeps all but that last space. GPT-2's
 * special handling of English contractions ({@code 's}, {@code 't}, ...) is not done. Surrogate pairs are
 * never cut.
 */
final class ChunkSplitter {
    static final String NAME = "transformer4j_simple_split";

    /** This split as a {@link PreTokenizer}. */
    static final PreTokenizer INSTANCE = (s, out) -> split(s, 0, s.length(), (a, b) -> out.accept(s.substring(a, b)));

    private static final int LETTER = 0;
    private static final int NUMBER = 1;
    private static final int SPACE = 2;
    private static final int OTHER = 3;

    private ChunkSplitter() {
    }

    static int classOf(int cp) {
        if (Character.isLetter(cp)) {
            return LETTER;
        }
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK, Character.ENCLOSING_MARK -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> Character.isWhitespace(cp) ? SPACE : OTHER;
        };
    }

    /** Cuts {@code s[from, to)} into chunks, in order; their ranges cover it exactly. */
    static void split(CharSequence s, int from, int to, PreTokenizer.Sink sink) {
        int i = from;
        while (i < to) {
            int start = i;
            int cls = classOf(codePointAt(s, i, to));
            if (s.charAt(i) == ' ' && i + 1 < to && classOf(codePointAt(s, i + 1, to)) != SPACE) {
                i++; // the space joins the run that follows
                cls = classOf(codePointAt(s, i, to));
            }
            int j = runEnd(s, i, to, cls);
            if (cls == SPACE && j < to && j - start >= 2 && s.charAt(j - 1) == ' ') {
                j--; // leave the last space to the next run
            }
            sink.chunk(start, j);
            i = j;
        }
    }

    /** The code point at {@code i}, not looking at {@code limit} or beyond (a pair cut there is two units). */
    static int codePointAt(CharSequence s, int i, int limit) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < limit && Character.isLowSurrogate(s.charAt(i + 1))) {
            return Character.toCodePoint(c, s.charAt(i + 1));
        }
        return c;
    }

    private static int runEnd(CharSequence s, int i, int to, int cls) {
        while (i < to) {
            int cp = codePointAt(s, i, to);
            if (classOf(cp) != cls) {
                break;
            }
            i += Character.charCount(cp);
        }
        return i;
    }
}
