package org.transformer4j.tokenizer;

/**
 * GPT-2's split, used by Hugging Face's ByteLevel pre-tokenizer with {@code use_regex} ({@link PreTokenizers.ByteLevel}): the chunks that its regular expression
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} finds, as Hugging Face's
 * ByteLevel pre-tokenizer (Oniguruma) and tiktoken's r50k_base (fancy-regex) find them, written out by hand:
 * faster than {@link java.util.regex}, and free of its differences ({@code \s} there is ASCII unless a flag is
 * given).
 *
 * <p>Classes, by Unicode property of the code point: whitespace is {@code White_Space} (tab to carriage return,
 * space, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000; the same set as
 * Oniguruma's {@code \s}: those controls, U+0085 and the categories Zs, Zl, Zp); a letter is general category L;
 * a number is Nd, Nl or No; everything else (punctuation, symbols, marks, controls) is "other". At each
 * position the alternatives are tried in order: a contraction (case-sensitive: {@code 'S} is not one), an
 * optional single space U+0020 and a run of letters, of numbers, or of others; then whitespace: a run that ends
 * the text, or else the run less its last character when that leaves something, or else the one character.
 */
final class Gpt2Splitter {
    private static final int LETTER = 0;
    private static final int NUMBER = 1;
    private static final int SPACE = 2;
    private static final int OTHER = 3;

    private Gpt2Splitter() {
    }

    /** Unicode's White_Space property (PropList.txt), which is also Oniguruma's and Rust regex's {@code \s}. */
    static boolean isWhiteSpace(int cp) {
        if (cp < 0x85) {
            return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028
                || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    static int classOf(int cp) {
        if (cp < 0x80) {
            if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
                return LETTER;
            }
            if (cp >= '0' && cp <= '9') {
                return NUMBER;
            }
            return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) ? SPACE : OTHER;
        }
        if (isWhiteSpace(cp)) {
            return SPACE;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }

    /** Cuts {@code s[from, to)} into GPT-2's chunks, in order; their ranges cover it exactly. */
    static void split(CharSequence s, int from, int to, PreTokenizer.Sink sink) {
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (c == '\'') {
                int n = contractionLength(s, i, to);
                if (n > 0) {
                    sink.chunk(i, i + n);
                    i += n;
                    continue;
                }
            }
            int start = i;
            int cls = classOf(ChunkSplitter.codePointAt(s, i, to));
            if (c == ' ' && i + 1 < to) {
                int after = classOf(ChunkSplitter.codePointAt(s, i + 1, to));
                if (after != SPACE) {
                    i++; // " ?" takes the space, the run follows
                    cls = after;
                }
            }
            int end = runEnd(s, i, to, cls);
            if (cls == SPACE && end < to && end - start >= 2) {
                end--; // \s+(?!\S): leave the last whitespace character (always one char) to what follows
            }
            sink.chunk(start, end);
            i = end;
        }
    }

    /** The length of the contraction at {@code s[i] == '\''}, or 0: {@code 's 't 'm 'd} are 2, {@code 're 've 'll} 3. */
    private static int contractionLength(CharSequence s, int i, int to) {
        if (i + 1 >= to) {
            return 0;
        }
        char a = s.charAt(i + 1);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return 2;
        }
        if (i + 2 < to) {
            char b = s.charAt(i + 2);
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                return 3;
            }
        }
        return 0;
    }

    private static int runEnd(CharSequence s, int i, int to, int cls) {
        while (i < to) {
            int cp = ChunkSplitter.codePointAt(s, i, to);
            if (classOf(cp) != cls) {
                break;
            }
            i += Character.charCount(cp);
        }
        return i;
    }
}
