package org.transformer4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

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
            assertThat(Wtf8.encode(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
            checked++;
        }
        assertThat(checked).as("well-formed samples").isGreaterThan(300);
    }

    @Test
    void loneSurrogatesUseTheirThreeByteForm() {
        // U+D800 = 1101 1000 0000 0000 -> 1110_1101 10_100000 10_000000
        assertThat(Wtf8.encode("\uD800")).isEqualTo(bytes(0xED, 0xA0, 0x80));
        assertThat(Wtf8.encode("\uDFFF")).isEqualTo(bytes(0xED, 0xBF, 0xBF));
        // a low then a high surrogate is not a pair: two 3-byte forms
        assertThat(Wtf8.encode("\uDC00\uDBFF")).isEqualTo(bytes(0xED, 0xB0, 0x80, 0xED, 0xAF, 0xBF));
        // a real pair is one 4-byte code point: U+1F600 = F0 9F 98 80
        assertThat(Wtf8.encode("\uD83D\uDE00")).isEqualTo(bytes(0xF0, 0x9F, 0x98, 0x80));
        assertThat(decode(0xED, 0xA0, 0x80)).isEqualTo("\uD800");
        assertThat(decode('a', 0xED, 0xBF, 0xBF, 'b')).isEqualTo("a\uDFFFb");
    }

    @Test
    void illFormedBytesBecomeReplacementCharacters() {
        assertThat(decode(0x80)).isEqualTo("\uFFFD"); // stray continuation byte
        assertThat(decode(0xE4, 0xB8)).isEqualTo("\uFFFD"); // first two bytes of U+4E2D, truncated
        assertThat(decode(0xE4, 0xB8, 'A')).isEqualTo("\uFFFDA"); // truncated, then ASCII survives
        assertThat(decode(0xC0, 0xAF)).isEqualTo("\uFFFD\uFFFD"); // overlong '/': C0 is never a lead byte
        assertThat(decode(0xE0, 0x80, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD"); // overlong 3-byte form
        assertThat(decode(0xF5)).isEqualTo("\uFFFD"); // no lead byte above F4
        assertThat(decode(0xF4, 0x90, 0x80, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD"); // above U+10FFFF
        assertThat(decode(0xFF, 0xFE)).isEqualTo("\uFFFD\uFFFD");
        // an encoded surrogate pair (CESU-8 style) is ill-formed WTF-8: one U+FFFD per half
        assertThat(decode(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80)).isEqualTo("\uFFFD\uFFFD");
        assertThat(decode(0xE4, 0xB8, 0xAD)).isEqualTo("\u4E2D");
        assertThat(decode()).isEqualTo("");
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
            assertThat(Wtf8.decode(again, again.length)).isEqualTo(s);
        }
    }

    @Test
    void roundTripOfEveryKindOfString() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 3000; i++) {
            String s = RandomStrings.next(r, 30);
            byte[] b = Wtf8.encode(s);
            assertThat(Wtf8.decode(b, b.length)).isEqualTo(s);
        }
    }
}
