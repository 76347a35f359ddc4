package org.transformer4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharTokenizerTest {

    @Test
    void idsAreTheSortedDistinctCharacters() {
        CharTokenizer tok = CharTokenizer.fromText("hello");
        // sorted alphabet: e=0, h=1, l=2, o=3
        assertEquals(4, tok.vocabSize());
        assertArrayEquals(new int[] {1, 0, 2, 2, 3}, tok.encode("hello"));
        assertArrayEquals(new int[] {3, 2, 0}, tok.encode("ole"));
        assertEquals("hole", tok.decode(new int[] {1, 3, 2, 0}));
        assertEquals("", tok.decode(new int[0]));
        assertArrayEquals(new int[0], tok.encode(""));
    }

    @Test
    void supplementaryCharactersAndLoneSurrogatesAreOneTokenEach() {
        // code points: 'a' 0x61, lone low 0xDC00, lone high 0xD800, U+1F600 (a pair)
        String text = "a\uDC00\uD800\uD83D\uDE00";
        CharTokenizer tok = CharTokenizer.fromText(text);
        assertEquals(4, tok.vocabSize());
        // sorted: 0x61 -> 0, 0xD800 -> 1, 0xDC00 -> 2, 0x1F600 -> 3
        assertArrayEquals(new int[] {0, 2, 1, 3}, tok.encode(text));
        assertEquals(text, tok.decode(tok.encode(text)));
    }

    @Test
    void roundTripOnRandomStringsOfTheAlphabet() {
        SplittableRandom r = new SplittableRandom(11);
        String training = RandomStrings.shakespeare() + "\u00E9\u4E2D\uD83D\uDE00\uD800\uDFFF\0\t";
        int[] alphabet = training.codePoints().distinct().toArray();
        CharTokenizer tok = CharTokenizer.fromText(training);
        assertEquals(alphabet.length, tok.vocabSize());
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(40);
            for (int k = 0; k < len; k++) {
                sb.appendCodePoint(alphabet[r.nextInt(alphabet.length)]);
            }
            String s = sb.toString();
            int[] ids = tok.encode(s);
            assertEquals(s.codePointCount(0, s.length()), ids.length);
            assertEquals(s, tok.decode(ids));
        }
    }

    @Test
    void unknownCharacterNamesItAndItsIndex() {
        CharTokenizer tok = CharTokenizer.fromText("abc ");
        var e = assertThrows(IllegalArgumentException.class, () -> tok.encode("ab c\u00E9a"));
        assertTrue(e.getMessage().contains("U+00E9"), e.getMessage());
        assertTrue(e.getMessage().contains("'\u00E9'"), e.getMessage());
        assertTrue(e.getMessage().contains("index 4"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> tok.encode("a\uD83D\uDE00"));
        assertTrue(e2.getMessage().contains("U+1F600") && e2.getMessage().contains("index 1"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> tok.encode("\0"));
        assertTrue(e3.getMessage().contains("U+0000"), e3.getMessage());
    }

    @Test
    void specialTokensFollowTheCharacters() {
        CharTokenizer tok = CharTokenizer.fromText("ab", List.of(Tokenizer.BOS, Tokenizer.EOS));
        assertEquals(4, tok.vocabSize());
        assertEquals(2, tok.characterCount());
        assertEquals(OptionalInt.of(2), tok.bosId());
        assertEquals(OptionalInt.of(3), tok.eosId());
        assertEquals(OptionalInt.empty(), tok.padId());
        assertArrayEquals(new int[] {2, 0, 3, 1}, tok.encode("<bos>a<eos>b"));
        assertEquals("<bos>a<eos>b", tok.decode(new int[] {2, 0, 3, 1}));
        // as plain text the special's characters are unknown here
        assertThrows(IllegalArgumentException.class, () -> tok.encode("<eos>", false));
    }

    @Test
    void outOfRangeIdsAreRejected() {
        CharTokenizer tok = CharTokenizer.fromText("xyz");
        var e = assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {0, 3}));
        assertTrue(e.getMessage().contains("id 3") && e.getMessage().contains("size is 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {-1}));
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fromText(""));
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fromText("ab", List.of("<x>", "<x>")));
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fromText("ab", List.of("")));
        var e = assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fromText("ab", List.of("a")));
        assertTrue(e.getMessage().contains("\"a\""), e.getMessage());
    }

    @Test
    void saveAndLoadGiveTheSameTokenizer(@TempDir Path dir) throws Exception {
        String training = "hello w\u00F6rld \u4E2D \uD83D\uDE00\n\0\"\\";
        CharTokenizer tok = CharTokenizer.fromText(training, List.of(Tokenizer.EOS, Tokenizer.PAD));
        Path file = dir.resolve("tokenizer.json");
        Tokenizers.save(tok, file);
        Tokenizer back = Tokenizers.load(file);
        assertTrue(back instanceof CharTokenizer);
        assertEquals(tok.vocabSize(), back.vocabSize());
        assertEquals(tok.specialTokens(), back.specialTokens());
        String probe = training + "<eos>" + new StringBuilder(training).reverse() + "<pad>";
        assertArrayEquals(tok.encode(probe), back.encode(probe));
        assertEquals(probe, back.decode(back.encode(probe)));
        assertEquals(tok.toJson(), back.toJson());
    }

    /**
     * Jackson 2.23 rejects an unpaired surrogate escape in an object key (jackson-core 2.21.2 made its byte parser
     * strict, 2.23 its reader parser; I-JSON, RFC 7493, forbids them), so a char vocabulary holding a lone surrogate
     * is written (escaped, valid UTF-8) but cannot be read back: loading says so, naming the file. Until the
     * tokenizer stores such tokens another way, this pins the behaviour: a clear error, never a wrong tokenizer.
     */
    @Test
    void aLoneSurrogateTokenIsSavedEscapedButLoadingItFailsClearly(@TempDir Path dir) throws Exception {
        CharTokenizer tok = CharTokenizer.fromText("ab \uD800 \uDC00", List.of());
        Path file = dir.resolve("tokenizer.json");
        Tokenizers.save(tok, file);
        String json = Files.readString(file);
        assertTrue(json.contains("\\uD800") && json.contains("\\uDC00"), json);
        var e = assertThrows(TokenizerFormatException.class, () -> Tokenizers.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("surrogate"), e.getMessage());
    }
}
