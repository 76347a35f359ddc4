package org.transformer4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(tok.vocabSize()).isEqualTo(4);
        assertThat(tok.encode("hello")).isEqualTo(new int[] {1, 0, 2, 2, 3});
        assertThat(tok.encode("ole")).isEqualTo(new int[] {3, 2, 0});
        assertThat(tok.decode(new int[] {1, 3, 2, 0})).isEqualTo("hole");
        assertThat(tok.decode(new int[0])).isEqualTo("");
        assertThat(tok.encode("")).isEqualTo(new int[0]);
    }

    @Test
    void supplementaryCharactersAndLoneSurrogatesAreOneTokenEach() {
        // code points: 'a' 0x61, lone low 0xDC00, lone high 0xD800, U+1F600 (a pair)
        String text = "a\uDC00\uD800\uD83D\uDE00";
        CharTokenizer tok = CharTokenizer.fromText(text);
        assertThat(tok.vocabSize()).isEqualTo(4);
        // sorted: 0x61 -> 0, 0xD800 -> 1, 0xDC00 -> 2, 0x1F600 -> 3
        assertThat(tok.encode(text)).isEqualTo(new int[] {0, 2, 1, 3});
        assertThat(tok.decode(tok.encode(text))).isEqualTo(text);
    }

    @Test
    void roundTripOnRandomStringsOfTheAlphabet() {
        SplittableRandom r = new SplittableRandom(11);
        String training = RandomStrings.shakespeare() + "\u00E9\u4E2D\uD83D\uDE00\uD800\uDFFF\0\t";
        int[] alphabet = training.codePoints().distinct().toArray();
        CharTokenizer tok = CharTokenizer.fromText(training);
        assertThat(tok.vocabSize()).isEqualTo(alphabet.length);
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(40);
            for (int k = 0; k < len; k++) {
                sb.appendCodePoint(alphabet[r.nextInt(alphabet.length)]);
            }
            String s = sb.toString();
            int[] ids = tok.encode(s);
            assertThat(ids.length).isEqualTo(s.codePointCount(0, s.length()));
            assertThat(tok.decode(ids)).isEqualTo(s);
        }
    }

    @Test
    void unknownCharacterNamesItAndItsIndex() {
        CharTokenizer tok = CharTokenizer.fromText("abc ");
        assertThatThrownBy(() -> tok.encode("ab c\u00E9a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("U+00E9", "'\u00E9'", "index 4");
        assertThatThrownBy(() -> tok.encode("a\uD83D\uDE00")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("U+1F600", "index 1");
        assertThatThrownBy(() -> tok.encode("\0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0000");
    }

    @Test
    void specialTokensFollowTheCharacters() {
        CharTokenizer tok = CharTokenizer.fromText("ab", List.of(Tokenizer.BOS, Tokenizer.EOS));
        assertThat(tok.vocabSize()).isEqualTo(4);
        assertThat(tok.characterCount()).isEqualTo(2);
        assertThat(tok.bosId()).isEqualTo(OptionalInt.of(2));
        assertThat(tok.eosId()).isEqualTo(OptionalInt.of(3));
        assertThat(tok.padId()).isEqualTo(OptionalInt.empty());
        assertThat(tok.encode("<bos>a<eos>b")).isEqualTo(new int[] {2, 0, 3, 1});
        assertThat(tok.decode(new int[] {2, 0, 3, 1})).isEqualTo("<bos>a<eos>b");
        // as plain text the special's characters are unknown here
        assertThatThrownBy(() -> tok.encode("<eos>", false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outOfRangeIdsAreRejected() {
        CharTokenizer tok = CharTokenizer.fromText("xyz");
        assertThatThrownBy(() -> tok.decode(new int[] {0, 3})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("id 3", "size is 3");
        assertThatThrownBy(() -> tok.decode(new int[] {-1})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatThrownBy(() -> CharTokenizer.fromText("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CharTokenizer.fromText("ab", List.of("<x>", "<x>")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CharTokenizer.fromText("ab", List.of(""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CharTokenizer.fromText("ab", List.of("a"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"a\"");
    }

    @Test
    void saveAndLoadGiveTheSameTokenizer(@TempDir Path dir) throws Exception {
        String training = "hello w\u00F6rld \u4E2D \uD83D\uDE00\n\0\"\\";
        CharTokenizer tok = CharTokenizer.fromText(training, List.of(Tokenizer.EOS, Tokenizer.PAD));
        Path file = dir.resolve("tokenizer.json");
        Tokenizers.save(tok, file);
        Tokenizer back = Tokenizers.load(file);
        assertThat(back).isInstanceOf(CharTokenizer.class);
        assertThat(back.vocabSize()).isEqualTo(tok.vocabSize());
        assertThat(back.specialTokens()).isEqualTo(tok.specialTokens());
        String probe = training + "<eos>" + new StringBuilder(training).reverse() + "<pad>";
        assertThat(back.encode(probe)).isEqualTo(tok.encode(probe));
        assertThat(back.decode(back.encode(probe))).isEqualTo(probe);
        assertThat(back.toJson()).isEqualTo(tok.toJson());
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
        assertThat(json).contains("\\uD800", "\\uDC00");
        assertThatThrownBy(() -> Tokenizers.load(file)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContainingAll(file.toString(), "surrogate");
    }
}
