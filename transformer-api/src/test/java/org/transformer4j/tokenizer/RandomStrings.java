package org.transformer4j.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Seeded random strings mixing the kinds of text a tokenizer must survive, and the test text excerpt. */
final class RandomStrings {
    private static final String ACCENTED = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœšžÀÉÎÕÜß";

    private RandomStrings() {
    }

    /**
     * A string of 0..maxLen pieces, each one of: ASCII letter or punctuation, space, accented Latin, CJK,
     * emoji (a surrogate pair), a lone high surrogate, a lone low surrogate, a control char, NUL, a newline,
     * a combining mark.
     */
    static String next(SplittableRandom r, int maxLen) {
        int len = r.nextInt(maxLen + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            switch (r.nextInt(11)) {
                case 0 -> sb.append((char) r.nextInt(0x21, 0x7F));
                case 1 -> sb.append(' ');
                case 2 -> sb.append(ACCENTED.charAt(r.nextInt(ACCENTED.length())));
                case 3 -> sb.append((char) r.nextInt(0x4E00, 0x9FFF));
                case 4 -> sb.appendCodePoint(r.nextInt(0x1F600, 0x1F650));
                case 5 -> sb.append((char) r.nextInt(0xD800, 0xDC00));
                case 6 -> sb.append((char) r.nextInt(0xDC00, 0xE000));
                case 7 -> sb.append((char) r.nextInt(1, 0x20));
                case 8 -> sb.append('\0');
                case 9 -> sb.append('\n');
                default -> sb.append((char) r.nextInt(0x0300, 0x0370));
            }
        }
        return sb.toString();
    }

    /** The Shakespeare excerpt of the test resources (about 16 KB). */
    static String shakespeare() {
        try (InputStream in = RandomStrings.class.getResourceAsStream("shakespeare-excerpt.txt")) {
            if (in == null) {
                throw new IllegalStateException("test resource shakespeare-excerpt.txt is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
