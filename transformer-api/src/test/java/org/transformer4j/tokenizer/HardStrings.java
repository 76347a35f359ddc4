package org.transformer4j.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Strings where GPT-2's split and byte-level BPE are easy to get wrong, for comparing with the oracles. */
final class HardStrings {
    private HardStrings() {
    }

    /** Well-formed strings (no unpaired surrogates). */
    static List<String> wellFormed() {
        List<String> s = new ArrayList<>(List.of(
                "",
                " ",
                "  ",
                "\n",
                "Hello, world!",
                "Hello world   ",
                "trailing space ",
                " leading space",
                "  two leading spaces",
                // contractions, lower and upper case ('S is not one), inside and after punctuation
                "I'm sure you're right, they've said we'll go, he'd know, it's John's, don't",
                "I'M SURE YOU'RE RIGHT, IT'S JOHN'S, DON'T 'S 'T 'RE",
                "'s 't 're 've 'm 'll 'd ''s '''ll x's x'S !'s ?'re 'x '",
                "rock'n'roll o'clock ma'am y'all",
                // digits and numbers
                "1 12 123 1234 12345 3.14159 1,000,000 -42 +7 0x1F 2nd 1st",
                "\u0661\u0662\u0663 \u00BD \u2164 \u00B2 \u2460",
                // whitespace runs, newlines, tabs
                "a  b   c    d     e",
                "line one\nline two\n\nline four\n\n\n",
                "\n\n\nstarts with newlines",
                "tab\tseparated\t\tvalues\t",
                "mixed \t \n \r\n whitespace \u000B\u000C end",
                "a \nb",
                "a  \nb",
                "   \n   \n",
                "x\r\ny\r\n",
                // other Unicode whitespace: no-break space, ideographic space, line separator, NEL
                "no\u00A0break \u00A0 space",
                "\u3000ideographic\u3000space \u2028line\u2029para \u0085nel \u2009thin \u202Fnarrow \u205Fmath",
                "\u001Cfile\u001Dgroup\u001Erecord\u001Funit",
                // accents precomposed and combining
                "caf\u00E9 na\u00EFve r\u00E9sum\u00E9 \u00C9cole \u0152uvre stra\u00DFe",
                "cafe\u0301 nai\u0308ve e\u0301\u0301\u0301 \u0301alone a\u0300\u0301\u0302\u0303",
                "\u1E9B\u0323 \u0915\u094D\u0937 \u0E01\u0E33",
                // CJK, Korean, Arabic, Hebrew, Cyrillic, Greek
                "\u4E2D\u6587\u5B57\u7B26 \u65E5\u672C\u8A9E\u3067\u3059\u3002 \uD55C\uAD6D\uC5B4 \u0645\u0631\u062D\u0628\u0627 \u05E9\u05DC\u05D5\u05DD",
                "\u041F\u0440\u0438\u0432\u0435\u0442, \u043C\u0438\u0440! \u0393\u03B5\u03B9\u03AC \u03C3\u03BF\u03C5",
                // emoji: simple, skin tone, ZWJ sequences, flags, keycaps
                "\uD83D\uDE00\uD83D\uDE01 \uD83D\uDC4D\uD83C\uDFFD \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66",
                "\uD83C\uDDEB\uD83C\uDDF7 1\uFE0F\u20E3 \u2764\uFE0F \uD83E\uDDD1\u200D\uD83D\uDCBB!",
                // supplementary letters and digits
                "\uD835\uDC00\uD835\uDC01 \uD835\uDFCE\uD835\uDFCF \uD840\uDC00",
                // punctuation and symbols
                "!!!??? ... --- *** ### $$$ @@@ ~~~ ``` <<>> {[()]} \"quoted\" \u00AB\u00BB \u201C\u201D \u2026",
                "http://example.com/path?q=1&r=2#frag user@example.com",
                "def f(x):\n    return x ** 2  # comment\n\tpass\n",
                // control characters and NUL
                "\u0000nul\u0001\u0002\u007F del",
                // the replacement character itself, BOM, zero-width space and joiner
                "\uFFFD \uFEFFbom zero\u200Bwidth join\u200Der",
                // special token inside text, at edges, repeated, and partial
                "<|endoftext|>",
                "Hello<|endoftext|>World",
                " <|endoftext|> spaced <|endoftext|>",
                "<|endoftext|><|endoftext|>x<|endoftext|>",
                "<|endoftext| <|endof <|endoftext|>|> <|ENDOFTEXT|>",
                // very long words and runs
                "a".repeat(500),
                " ".repeat(300) + "x",
                "\u4E2D".repeat(200),
                "ab".repeat(300) + " " + "1".repeat(100)));
        SplittableRandom r = new SplittableRandom(20);
        for (int i = 0; i < 300; i++) {
            String x = RandomStrings.next(r, 40);
            if (x.equals(Gpt2Fixture.wellFormed(x))) {
                s.add(x);
            }
        }
        return s;
    }

    /** Strings with unpaired surrogates: encoded as U+FFFD, as Hugging Face's tokenizers see them. */
    static List<String> withLoneSurrogates() {
        List<String> s = new ArrayList<>(List.of(
                "\uD800", "\uDC00", "a\uD800b", "x \uDBFF y", "\uDC00\uD800", "\uD83D\uD83D\uDE00", "end\uD83D"));
        SplittableRandom r = new SplittableRandom(21);
        while (s.size() < 150) {
            String x = RandomStrings.next(r, 30);
            if (!x.equals(Gpt2Fixture.wellFormed(x))) {
                s.add(x);
            }
        }
        return s;
    }
}
