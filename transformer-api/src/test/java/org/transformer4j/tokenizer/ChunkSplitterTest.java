package org.transformer4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(chunks("Hello, world!!\n\nI am 42.")).isEqualTo(List.of("Hello", ",", " world", "!!", "\n\n", "I", " am", " 42", "."));
        // a longer whitespace run keeps its last space for the next word
        assertThat(chunks("a   b   ")).isEqualTo(List.of("a", "  ", " b", "   "));
        assertThat(chunks("x\n  y")).isEqualTo(List.of("x", "\n ", " y"));
        // combining marks stay with letters; CJK are letters; emoji are "other"
        assertThat(chunks("e\u0301t\u00E9 \u4E2D\u6587 \uD83D\uDE00\uD83D\uDE01")).isEqualTo(List.of("e\u0301t\u00E9", " \u4E2D\u6587", " \uD83D\uDE00\uD83D\uDE01"));
        // lone surrogates are "other" and never glue to letters
        assertThat(chunks("ab\uD800cd \uDC00")).isEqualTo(List.of("ab", "\uD800", "cd", " \uDC00"));
        assertThat(chunks("")).isEqualTo(List.of());
        assertThat(chunks(" ")).isEqualTo(List.of(" "));
    }
}
