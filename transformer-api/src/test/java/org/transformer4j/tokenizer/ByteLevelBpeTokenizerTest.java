package org.transformer4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(tok.vocabSize()).isEqualTo(260);
        assertThat(tok.mergeCount()).isEqualTo(4);
        assertThat(tok.merge(0)).isEqualTo(new int[] {97, 97, 256});
        assertThat(tok.merge(1)).isEqualTo(new int[] {97, 98, 257});
        assertThat(tok.merge(2)).isEqualTo(new int[] {256, 257, 258});
        assertThat(tok.merge(3)).isEqualTo(new int[] {97, 99, 259});
        assertThat(tok.tokenBytes(258)).isEqualTo("aaab".getBytes(StandardCharsets.US_ASCII));
        assertThat(tok.encode("aaabdaaabac")).isEqualTo(new int[] {258, 100, 258, 259});
        // other text uses the same merges: "aaaa" -> (a,a) twice -> [aa, aa]; "ca" has no merge
        assertThat(tok.encode("aaaaca")).isEqualTo(new int[] {256, 256, 99, 97});
        assertThat(tok.decode(new int[] {258, 100, 258, 259})).isEqualTo("aaabdaaabac");
    }

    @Test
    void pairCountsAreWeightedByChunkAndMergesStayInsideChunks() {
        // chunks: "x" once, " y" three times, " x" twice -> (' ', y) 3 beats (' ', x) 2; no pair spans chunks
        ByteLevelBpeTokenizer tok = ByteLevelBpeTokenizer.train("x y x y x y", 258, List.of());
        assertThat(tok.merge(0)).isEqualTo(new int[] {' ', 'y', 256});
        assertThat(tok.merge(1)).isEqualTo(new int[] {' ', 'x', 257});
        assertThat(tok.encode("x y x y x y")).isEqualTo(new int[] {'x', 256, 257, 256, 257, 256});
    }

    @Test
    void noLearnedTokenSpansAWordAndTheSpaceAfterIt() {
        for (int id = 256; id < shakespeareTok.vocabSize() - 3; id++) {
            String text = new String(shakespeareTok.tokenBytes(id), StandardCharsets.UTF_8);
            for (int i = 0; i + 1 < text.length(); i++) {
                boolean wordThenSpace = !Character.isWhitespace(text.charAt(i))
                        && Character.isWhitespace(text.charAt(i + 1));
                assertThat(wordThenSpace).as("token " + id + " \"" + text + "\" crosses a chunk boundary").isFalse();
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
                assertThat(id).isBetween(0, shakespeareTok.vocabSize() - 1);
            }
            assertThat(shakespeareTok.decode(ids)).as("round trip of " + escape(s)).isEqualTo(s);
            assertThat(shakespeareTok.decode(shakespeareTok.encode(s, false))).as(escape(s)).isEqualTo(s);
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
            assertThat(Arrays.stream(ids).filter(id -> id >= shakespeareTok.vocabSize() - 3).count()).as(escape(s)).isEqualTo(4);
            assertThat(shakespeareTok.decode(ids)).as(escape(s)).isEqualTo(s);
        }
    }

    @Test
    void decodeOfArbitraryIdsNeverThrows() {
        SplittableRandom r = new SplittableRandom(44);
        for (int i = 0; i < 2000; i++) {
            int[] ids = r.ints(r.nextInt(8), 0, shakespeareTok.vocabSize()).toArray();
            String s = shakespeareTok.decode(ids);
            assertThat(shakespeareTok.decode(shakespeareTok.encode(s))).isEqualTo(s);
        }
        // the first byte of a 3-byte character alone is one replacement character
        assertThat(shakespeareTok.decode(new int[] {0xE4})).isEqualTo("\uFFFD");
        // two halves of a character in separate tokens join up
        assertThat(shakespeareTok.decode(new int[] {0xE4, 0xB8, 0xAD})).isEqualTo("\u4E2D");
    }

    @Test
    void outOfRangeIdsNameTheIdAndTheVocabularySize() {
        assertThatThrownBy(() -> shakespeareTok.decode(new int[] {1, 512})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("id 512", "size is 512");
        assertThatThrownBy(() -> shakespeareTok.decode(new int[] {-7})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compressesShakespeare() {
        int bytes = shakespeare.getBytes(StandardCharsets.UTF_8).length;
        int tokens = shakespeareTok.encode(shakespeare).length;
        assertThat((double) tokens).as(tokens + " tokens for " + bytes + " bytes").isLessThan(0.5 * bytes);
        assertThat(shakespeareTok.decode(shakespeareTok.encode(shakespeare))).isEqualTo(shakespeare);
        // the re-encoding of training text ends up with the full vocabulary requested
        assertThat(shakespeareTok.vocabSize()).isEqualTo(512);
        assertThat(shakespeareTok.mergeCount()).isEqualTo(512 - 256 - 3);
    }

    @Test
    void specialTokensTakeTheLastIdsAndAreParsedUnlessDisabled() {
        assertThat(shakespeareTok.bosId()).isEqualTo(OptionalInt.of(509));
        assertThat(shakespeareTok.eosId()).isEqualTo(OptionalInt.of(510));
        assertThat(shakespeareTok.padId()).isEqualTo(OptionalInt.of(511));
        assertThat(shakespeareTok.specialTokenId("<unk>")).isEqualTo(OptionalInt.empty());
        int[] parsed = shakespeareTok.encode("ab<eos>");
        assertThat(parsed[parsed.length - 1]).isEqualTo(510);
        int[] plain = shakespeareTok.encode("ab<eos>", false);
        assertThat(plain).doesNotContain(509, 510, 511);
        assertThat(shakespeareTok.decode(plain)).isEqualTo("ab<eos>");
        // the longest special wins where two start at the same place
        ByteLevelBpeTokenizer tok = ByteLevelBpeTokenizer.train("abc", 258, List.of("<e>", "<e><e>"));
        assertThat(tok.encode("<e><e><e>")).isEqualTo(new int[] {257, 256});
    }

    @Test
    void specialTokensInTheTrainingTextAreNotLearned() {
        String text = "hello<eos>hello<eos>world<eos>".repeat(20);
        ByteLevelBpeTokenizer tok = ByteLevelBpeTokenizer.train(text, 300, List.of("<eos>"));
        for (int id = 256; id < tok.vocabSize() - 1; id++) {
            String t = new String(tok.tokenBytes(id), StandardCharsets.UTF_8);
            assertThat(t.contains("<") || t.contains(">")).as("learned token " + id + " \"" + t + "\"").isFalse();
        }
        // the text runs out of pairs long before 300: the vocabulary ends smaller, the special right after it
        assertThat(tok.vocabSize()).isLessThan(300);
        assertThat(tok.eosId()).isEqualTo(OptionalInt.of(tok.vocabSize() - 1));
        assertThat(tok.encode("<eos>")).isEqualTo(new int[] {tok.vocabSize() - 1});
    }

    @Test
    void rejectsTooSmallVocabularies() {
        assertThatThrownBy(() -> ByteLevelBpeTokenizer.train("abc", 257, List.of("<a>", "<b>"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("257");
        ByteLevelBpeTokenizer bytesOnly = ByteLevelBpeTokenizer.train("abc", 256, List.of());
        assertThat(bytesOnly.encode("abc")).isEqualTo(new int[] {'a', 'b', 'c'});
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04X", (int) c));
        }
        return sb.toString();
    }
}
