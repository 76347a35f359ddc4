package org.transformer4j.tokenizer;

import java.util.Arrays;

/**
 * GPT-2's printable stand-ins for bytes ({@code bytes_to_unicode} in its encoder.py), used to write byte-level
 * tokens as JSON strings: bytes {@code '!'..'~'}, {@code U+00A1..U+00AC} and {@code U+00AE..U+00FF} stand for
 * themselves, the other 68 bytes map in order to {@code U+0100..U+0143} (so a space is {@code 'Ġ'} and a
 * newline {@code 'Ċ'}). The mapping is a bijection, and no stand-in is a space, so {@code "A B"} can name
 * a merge.
 */
final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelAlphabet() {
    }

    /** The stand-in string of a token's bytes. */
    static String toText(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** The bytes a stand-in string names, or null if some char is not a stand-in. */
    static byte[] toBytes(String text) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < out.length; i++) {
            char c = text.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
