package org.transformer4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkSplitterTest {

    private static List<String> chunks(String s) {
        List<String> out = new ArrayList<>();
        ChunkSplitter.split(s, 0, s.length(), (a, b) -> out.add(s.substring(a, b)));
        return out;
    }

    @Test
    void splitsIntoRunsWithALeadingSpaceJoined() {
        assertEquals(List.of("Hello", ",", " world", "!!", "\n\n", "I", " am", " 42", "."),
                chunks("Hello, world!!\n\nI am 42."));
        // a longer whitespace run keeps its last space for the next word
        assertEquals(List.of("a", "  ", " b", "   "), chunks("a   b   "));
        assertEquals(List.of("x", "\n ", " y"), chunks("x\n  y"));
        // combining marks stay with letters; CJK are letters; emoji are "other"
        assertEquals(List.of("e\u0301t\u00E9", " \u4E2D\u6587", " \uD83D\uDE00\uD83D\uDE01"),
                chunks("e\u0301t\u00E9 \u4E2D\u6587 \uD83D\uDE00\uD83D\uDE01"));
        // lone surrogates are "other" and never glue to letters
        assertEquals(List.of("ab", "\uD800", "cd", " \uDC00"), chunks("ab\uD800cd \uDC00"));
        assertEquals(List.of(), chunks(""));
        assertEquals(List.of(" "), chunks(" "));
    }
}
