package org.transformer4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Wtf8Test {

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    private static String decode(int... b) {
        return Wtf8.decode(bytes(b), b.length);
    }

    @Test
    void wellFormedStringsEncodeExactlyAsUtf8() {
        SplittableRandom r = new SplittableRandom(1);
        int checked = 0;
        for (int i = 0; i < 3000; i++) {
            String s = RandomStrings.next(r, 20);
            // String.codePoints() yields a lone surrogate as its own value
            boolean hasLoneSurrogate = s.codePoints().anyMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
            if (hasLoneSurrogate) {
                continue;
            }
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), Wtf8.encode(s), s);
            checked++;
        }
        assertTrue(checked > 300, "too few well-formed samples: " + checked);
    }

    @Test
    void loneSurrogatesUseTheirThreeByteForm() {
        // U+D800 = 1101 1000 0000 0000 -> 1110_1101 10_100000 10_000000
        assertArrayEquals(bytes(0xED, 0xA0, 0x80), Wtf8.encode("\uD800"));
        assertArrayEquals(bytes(0xED, 0xBF, 0xBF), Wtf8.encode("\uDFFF"));
        // a low then a high surrogate is not a pair: two 3-byte forms
        assertArrayEquals(bytes(0xED, 0xB0, 0x80, 0xED, 0xAF, 0xBF), Wtf8.encode("\uDC00\uDBFF"));
        // a real pair is one 4-byte code point: U+1F600 = F0 9F 98 80
        assertArrayEquals(bytes(0xF0, 0x9F, 0x98, 0x80), Wtf8.encode("\uD83D\uDE00"));
        assertEquals("\uD800", decode(0xED, 0xA0, 0x80));
        assertEquals("a\uDFFFb", decode('a', 0xED, 0xBF, 0xBF, 'b'));
    }

    @Test
    void illFormedBytesBecomeReplacementCharacters() {
        assertEquals("\uFFFD", decode(0x80)); // stray continuation byte
        assertEquals("\uFFFD", decode(0xE4, 0xB8)); // first two bytes of U+4E2D, truncated
        assertEquals("\uFFFDA", decode(0xE4, 0xB8, 'A')); // truncated, then ASCII survives
        assertEquals("\uFFFD\uFFFD", decode(0xC0, 0xAF)); // overlong '/': C0 is never a lead byte
        assertEquals("\uFFFD\uFFFD\uFFFD", decode(0xE0, 0x80, 0x80)); // overlong 3-byte form
        assertEquals("\uFFFD", decode(0xF5)); // no lead byte above F4
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", decode(0xF4, 0x90, 0x80, 0x80)); // above U+10FFFF
        assertEquals("\uFFFD\uFFFD", decode(0xFF, 0xFE));
        // an encoded surrogate pair (CESU-8 style) is ill-formed WTF-8: one U+FFFD per half
        assertEquals("\uFFFD\uFFFD", decode(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80));
        assertEquals("\u4E2D", decode(0xE4, 0xB8, 0xAD));
        assertEquals("", decode());
    }

    @Test
    void decodeOfRandomBytesNeverThrowsAndIsStable() {
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 3000; i++) {
            byte[] b = new byte[r.nextInt(12)];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) (r.nextBoolean() ? r.nextInt(256) : 0x80 + r.nextInt(64));
            }
            String s = Wtf8.decode(b, b.length);
            // whatever came out is a string whose own bytes decode to itself
            byte[] again = Wtf8.encode(s);
            assertEquals(s, Wtf8.decode(again, again.length));
        }
    }

    @Test
    void roundTripOfEveryKindOfString() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 3000; i++) {
            String s = RandomStrings.next(r, 30);
            byte[] b = Wtf8.encode(s);
            assertEquals(s, Wtf8.decode(b, b.length));
        }
    }
}
