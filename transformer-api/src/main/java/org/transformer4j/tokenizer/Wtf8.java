package org.transformer4j.tokenizer;

import java.io.ByteArrayOutputStream;

/**
 * Lossless conversion between Java strings and bytes: WTF-8, the generalisation of UTF-8 that also
 * encodes unpaired surrogates (each as the 3-byte form UTF-8 would give its code unit).
 *
 * <p>Every Java {@code String} has exactly one WTF-8 form, and {@code decode(encode(s)).equals(s)} for
 * every string, which plain UTF-8 cannot give (Java's UTF-8 encoder turns a lone surrogate into {@code '?'}).
 * For strings without lone surrogates the bytes are exactly their UTF-8 bytes.
 *
 * <p>{@link #decode} never throws: each maximal ill-formed subsequence becomes one U+FFFD, as the Unicode
 * standard recommends for UTF-8. Ill-formed includes what UTF-8 forbids (stray continuation bytes,
 * truncated sequences, overlong forms, values above U+10FFFF) and the one thing WTF-8 adds: a high surrogate's
 * 3-byte form directly followed by a low surrogate's 3-byte form (that pair has a 4-byte form), which
 * decodes as two U+FFFD.
 */
final class Wtf8 {
    private Wtf8() {
    }

    /** The WTF-8 bytes of {@code s}. */
    static byte[] encode(CharSequence s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 16);
        encode(s, 0, s.length(), out);
        return out.toByteArray();
    }

    /** Appends the WTF-8 bytes of {@code s[from, to)} to {@code out}. */
    static void encode(CharSequence s, int from, int to, ByteArrayOutputStream out) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | (c >> 6));
                out.write(0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.write(0xF0 | (cp >> 18));
                out.write(0x80 | ((cp >> 12) & 0x3F));
                out.write(0x80 | ((cp >> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            } else {
                // any other BMP unit, lone surrogates included
                out.write(0xE0 | (c >> 12));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            }
        }
    }

    /**
     * {@code s} with each unpaired surrogate replaced by U+FFFD: the Unicode text that UTF-8 (and so Hugging Face's
     * tokenizers, Rust strings, Python's encoder with "replace") can carry. Returns {@code s} itself when it is
     * already well-formed.
     */
    static String toWellFormed(String s) {
        char[] out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
                continue;
            }
            if (out == null) {
                out = s.toCharArray();
            }
            out[i] = '\uFFFD';
        }
        return out == null ? s : new String(out);
    }

    /** Decodes {@code bytes[0, length)}, replacing ill-formed parts by U+FFFD (see the class comment). */
    static String decode(byte[] bytes, int length) {
        return decode(bytes, length, true);
    }

    /**
     * Decodes {@code bytes[0, length)} as strict UTF-8: like {@link #decode(byte[], int)}, but the 3-byte forms of
     * surrogates are ill-formed too (each of their bytes becomes one U+FFFD, as Rust's
     * {@code String::from_utf8_lossy} and so Hugging Face's ByteLevel decoder give).
     */
    static String decodeUtf8(byte[] bytes, int length) {
        return decode(bytes, length, false);
    }

    private static String decode(byte[] bytes, int length, boolean surrogates) {
        StringBuilder sb = new StringBuilder(length);
        // index in sb of a high surrogate that was decoded from its 3-byte form and is the last char, else -1
        int encodedHighAt = -1;
        int i = 0;
        while (i < length) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                sb.append((char) b0);
                encodedHighAt = -1;
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            int cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) {
                    lo = 0xA0; // no overlong forms
                } else if (b0 == 0xED && !surrogates) {
                    hi = 0x9F; // no surrogates in strict UTF-8
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0) {
                    lo = 0x90;
                } else if (b0 == 0xF4) {
                    hi = 0x8F; // nothing above U+10FFFF
                }
            } else {
                sb.append('\uFFFD');
                encodedHighAt = -1;
                i++;
                continue;
            }
            int j = i + 1;
            boolean ok = true;
            for (int k = 0; k < need; k++, j++) {
                int b = j < length ? bytes[j] & 0xFF : -1;
                int min = k == 0 ? lo : 0x80;
                int max = k == 0 ? hi : 0xBF;
                if (b < min || b > max) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (!ok) {
                sb.append('\uFFFD'); // the maximal subpart [i, j) is replaced; resume at the offending byte
                encodedHighAt = -1;
                i = j;
                continue;
            }
            i = j;
            if (cp >= 0x10000) {
                sb.appendCodePoint(cp);
                encodedHighAt = -1;
            } else if (Character.isHighSurrogate((char) cp)) {
                encodedHighAt = sb.length();
                sb.append((char) cp);
            } else if (Character.isLowSurrogate((char) cp) && encodedHighAt >= 0) {
                // an encoded surrogate pair: ill-formed in WTF-8, and joining it would change the string
                sb.setCharAt(encodedHighAt, '\uFFFD');
                sb.append('\uFFFD');
                encodedHighAt = -1;
            } else {
                sb.append((char) cp);
                encodedHighAt = -1;
            }
        }
        return sb.toString();
    }
}
