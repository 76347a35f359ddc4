package org.transformer4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ByteLevelBpeTokenizerTest {
    private static String shakespeare;
    private static ByteLevelBpeTokenizer shakespeareTok;

    @BeforeAll
    static void train() {
        shakespeare = RandomStrings.shakespeare();
        shakespeareTok = ByteLevelBpeTokenizer.train(shakespeare, 512,
                List.of(Tokenizer.BOS, Tokenizer.EOS, Tokenizer.PAD));
    }

    @Test
    void learnsTheHandComputedMergesOfTheClassicExample() {
        // "aaabdaaabac" is one chunk (all letters); bytes a=97 b=98 c=99 d=100.
        // pair counts: aa 4 (overlapping), ab 2, bd 1, da 1, ba 1, ac 1 -> merge (a,a) = 256
        // text: [aa a b d aa a b a c]: (aa,a) 2, (a,b) 2 -> tie, smallest ids (97,98) -> merge (a,b) = 257
        // text: [aa ab d aa ab a c]: (aa,ab) 2 -> merge (256,257) = 258 "aaab"
        // text: [aaab d aaab a c]: four pairs of count 1, smallest ids (97,99) -> merge (a,c) = 259
        ByteLevelBpeTokenizer tok = ByteLevelBpeTokenizer.train("aaabdaaabac", 260, List.of());
        assertEquals(260, tok.vocabSize());
        assertEquals(4, tok.mergeCount());
        assertArrayEquals(new int[] {97, 97, 256}, tok.merge(0));
        assertArrayEquals(new int[] {97, 98, 257}, tok.merge(1));
        assertArrayEquals(new int[] {256, 257, 258}, tok.merge(2));
        assertArrayEquals(new int[] {97, 99, 259}, tok.merge(3));
        assertArrayEquals("aaab".getBytes(StandardCharsets.US_ASCII), tok.tokenBytes(258));
        assertArrayEquals(new int[] {258, 100, 258, 259}, tok.encode("aaabdaaabac"));
        // other text uses the same merges: "aaaa" -> (a,a) twice -> [aa, aa]; "ca" has no merge
        assertArrayEquals(new int[] {256, 256, 99, 97}, tok.encode("aaaaca"));
        assertEquals("aaabdaaabac", tok.decode(new int[] {258, 100, 258, 259}));
    }

    @Test
    void pairCountsAreWeightedByChunkAndMergesStayInsideChunks() {
        // chunks: "x" once, " y" three times, " x" twice -> (' ', y) 3 beats (' ', x) 2; no pair spans chunks
        ByteLevelBpeTokenizer tok = ByteLevelBpeTokenizer.train("x y x y x y", 258, List.of());
        assertArrayEquals(new int[] {' ', 'y', 256}, tok.merge(0));
        assertArrayEquals(new int[] {' ', 'x', 257}, tok.merge(1));
        assertArrayEquals(new int[] {'x', 256, 257, 256, 257, 256}, tok.encode("x y x y x y"));
    }

    @Test
    void noLearnedTokenSpansAWordAndTheSpaceAfterIt() {
        for (int id = 256; id < shakespeareTok.vocabSize() - 3; id++) {
            String text = new String(shakespeareTok.tokenBytes(id), StandardCharsets.UTF_8);
            for (int i = 0; i + 1 < text.length(); i++) {
                boolean wordThenSpace = !Character.isWhitespace(text.charAt(i))
                        && Character.isWhitespace(text.charAt(i + 1));
                assertFalse(wordThenSpace, "token " + id + " \"" + text + "\" crosses a chunk boundary");
            }
        }
    }

    @Test
    void roundTripOfTwoThousandRandomStrings() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 2500; i++) {
            String s = i == 0 ? "" : RandomStrings.next(r, i % 10 == 0 ? 200 : 30);
            int[] ids = shakespeareTok.encode(s);
            for (int id : ids) {
                assertTrue(id >= 0 && id < shakespeareTok.vocabSize(), "id " + id);
            }
            assertEquals(s, shakespeareTok.decode(ids), () -> "round trip of " + escape(s));
            assertEquals(s, shakespeareTok.decode(shakespeareTok.encode(s, false)), () -> escape(s));
        }
    }

    @Test
    void roundTripOfTextMixedWithSpecialTokens() {
        SplittableRandom r = new SplittableRandom(43);
        List<String> specials = List.of("<bos>", "<eos>", "<pad>");
        for (int i = 0; i < 500; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < 4; k++) {
                sb.append(RandomStrings.next(r, 6)).append(specials.get(r.nextInt(3)));
            }
            String s = sb.toString();
            int[] ids = shakespeareTok.encode(s);
            assertEquals(4, Arrays.stream(ids).filter(id -> id >= shakespeareTok.vocabSize() - 3).count(), escape(s));
            assertEquals(s, shakespeareTok.decode(ids), () -> escape(s));
        }
    }

    @Test
    void decodeOfArbitraryIdsNeverThrows() {
        SplittableRandom r = new SplittableRandom(44);
        for (int i = 0; i < 2000; i++) {
            int[] ids = r.ints(r.nextInt(8), 0, shakespeareTok.vocabSize()).toArray();
            String s = shakespeareTok.decode(ids);
            assertEquals(s, shakespeareTok.decode(shakespeareTok.encode(s)));
        }
        // the first byte of a 3-byte character alone is one replacement character
        assertEquals("\uFFFD", shakespeareTok.decode(new int[] {0xE4}));
        // two halves of a character in separate tokens join up
        assertEquals("\u4E2D", shakespeareTok.decode(new int[] {0xE4, 0xB8, 0xAD}));
    }

    @Test
    void outOfRangeIdsNameTheIdAndTheVocabularySize() {
        var e = assertThrows(IllegalArgumentException.class, () -> shakespeareTok.decode(new int[] {1, 512}));
        assertTrue(e.getMessage().contains("id 512") && e.getMessage().contains("size is 512"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> shakespeareTok.decode(new int[] {-7}));
    }

    @Test
    void compressesShakespeare() {
        int bytes = shakespeare.getBytes(StandardCharsets.UTF_8).length;
        int tokens = shakespeareTok.encode(shakespeare).length;
        assertTrue(tokens < 0.5 * bytes, tokens + " tokens for " + bytes + " bytes");
        assertEquals(shakespeare, shakespeareTok.decode(shakespeareTok.encode(shakespeare)));
        // the re-encoding of training text ends up with the full vocabulary requested
        assertEquals(512, shakespeareTok.vocabSize());
        assertEquals(512 - 256 - 3, shakespeareTok.mergeCount());
    }

    @Test
    void specialTokensTakeTheLastIdsAndAreParsedUnlessDisabled() {
        assertEquals(OptionalInt.of(509), shakespeareTok.bosId());
        assertEquals(OptionalInt.of(510), shakespeareTok.eosId());
        assertEquals(OptionalInt.of(511), shakespeareTok.padId());
        assertEquals(OptionalInt.empty(), shakespeareTok.specialTokenId("<unk>"));
        int[] parsed = shakespeareTok.encode("ab<eos>");
        assertEquals(510, parsed[parsed.length - 1]);
        int[] plain = shakespeareTok.encode("ab<eos>", false);
        assertTrue(Arrays.stream(plain).allMatch(id -> id < 509), Arrays.toString(plain));
        assertEquals("ab<eos>", shakespeareTok.decode(plain));
        // the longest special wins where two start at the same place
        ByteLevelBpeTokenizer tok = ByteLevelBpeTokenizer.train("abc", 258, List.of("<e>", "<e><e>"));
        assertArrayEquals(new int[] {257, 256}, tok.encode("<e><e><e>"));
    }

    @Test
    void specialTokensInTheTrainingTextAreNotLearned() {
        String text = "hello<eos>hello<eos>world<eos>".repeat(20);
        ByteLevelBpeTokenizer tok = ByteLevelBpeTokenizer.train(text, 300, List.of("<eos>"));
        for (int id = 256; id < tok.vocabSize() - 1; id++) {
            String t = new String(tok.tokenBytes(id), StandardCharsets.UTF_8);
            assertFalse(t.contains("<") || t.contains(">"), "learned token " + id + " \"" + t + "\"");
        }
        // the text runs out of pairs long before 300: the vocabulary ends smaller, the special right after it
        assertTrue(tok.vocabSize() < 300);
        assertEquals(OptionalInt.of(tok.vocabSize() - 1), tok.eosId());
        assertArrayEquals(new int[] {tok.vocabSize() - 1}, tok.encode("<eos>"));
    }

    @Test
    void rejectsTooSmallVocabularies() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ByteLevelBpeTokenizer.train("abc", 257, List.of("<a>", "<b>")));
        assertTrue(e.getMessage().contains("257"), e.getMessage());
        ByteLevelBpeTokenizer bytesOnly = ByteLevelBpeTokenizer.train("abc", 256, List.of());
        assertArrayEquals(new int[] {'a', 'b', 'c'}, bytesOnly.encode("abc"));
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04X", (int) c));
        }
        return sb.toString();
    }
}
