package org.transformer4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GPT-2's real tokenizer (files derived from JTokkit's r50k_base in {@link Gpt2Fixture}) against JTokkit, the
 * independent Java implementation of OpenAI's tiktoken: identical ids for the whole bundled Shakespeare and
 * the hard strings, from tokenizer.json and from vocab.json + merges.txt alike.
 */
class Gpt2TokenizerTest {
    private static Gpt2Fixture gpt2;
    private static Tokenizer fromJson;
    private static Tokenizer fromVocabMerges;

    @BeforeAll
    static void load() throws Exception {
        gpt2 = Gpt2Fixture.get();
        fromJson = Tokenizers.load(gpt2.dir.resolve("tokenizer.json"));
        fromVocabMerges = Tokenizers.loadVocabAndMerges(gpt2.dir.resolve("vocab.json"), gpt2.dir.resolve("merges.txt"));
    }

    @Test
    void theWholeShakespeareGivesJtokkitsIds() {
        String text = Gpt2Fixture.fullShakespeare();
        int[] expected = gpt2.expected(text);
        assertThat(expected.length).isGreaterThan(300_000);
        assertThat(fromJson.encode(text)).isEqualTo(expected);
        assertThat(fromVocabMerges.encode(text)).isEqualTo(expected);
        assertThat(fromJson.decode(expected)).isEqualTo(text);
    }

    @Test
    void hardStringsGiveJtokkitsIdsAndRoundTrip() {
        for (String s : HardStrings.wellFormed()) {
            int[] ids = fromJson.encode(s);
            assertThat(ids).as("ids of %s", ByteLevelBpeTokenizerTest.escape(s)).isEqualTo(gpt2.expected(s));
            assertThat(fromVocabMerges.encode(s)).isEqualTo(ids);
            assertThat(fromJson.decode(ids)).as("round trip of %s", ByteLevelBpeTokenizerTest.escape(s)).isEqualTo(s);
        }
    }

    @Test
    void unpairedSurrogatesAreEncodedAsTheReplacementCharacter() {
        for (String s : HardStrings.withLoneSurrogates()) {
            String replaced = Gpt2Fixture.wellFormed(s);
            assertThat(fromJson.encode(s)).as(ByteLevelBpeTokenizerTest.escape(s)).isEqualTo(gpt2.expected(replaced));
            assertThat(fromJson.decode(fromJson.encode(s))).isEqualTo(replaced);
        }
        // U+FFFD is EF BF BD: GPT-2 has the tokens 4210 ("\uFFFD") for it
        assertThat(fromJson.encode("\uD800")).isEqualTo(gpt2.jtokkit.encodeOrdinary("\uFFFD").toArray());
    }

    @Test
    void endOfTextIsSpecialAndCanBeEncodedAsText() {
        assertThat(fromJson.specialTokens()).containsExactly(java.util.Map.entry("<|endoftext|>", 50256));
        assertThat(fromVocabMerges.specialTokens()).isEqualTo(fromJson.specialTokens());
        assertThat(fromJson.vocabSize()).isEqualTo(50257);
        assertThat(fromJson.encode("a<|endoftext|>b")).containsExactly(64, 50256, 65);
        int[] plain = fromJson.encode("a<|endoftext|>b", false);
        assertThat(plain).isEqualTo(gpt2.jtokkit.encodeOrdinary("a<|endoftext|>b").toArray());
        assertThat(fromJson.decode(plain)).isEqualTo("a<|endoftext|>b");
        assertThat(fromJson.decode(new int[] {50256})).isEqualTo("<|endoftext|>");
    }

    @Test
    void decodeOfBytesCutInsideACharacterGivesReplacementCharactersAsRustsLossyUtf8() {
        // "\u4E2D" is E4 B8 AD; alone, each byte of it is a GPT-2 token
        int[] ids = fromJson.encode("\u4E2D");
        assertThat(fromJson.decode(ids)).isEqualTo("\u4E2D");
        // the 3-byte form of a surrogate (ED A0 80) is not UTF-8: each byte becomes U+FFFD
        int ed = idOfByte(0xED);
        int a0 = idOfByte(0xA0);
        int x80 = idOfByte(0x80);
        assertThat(fromJson.decode(new int[] {ed, a0, x80})).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(fromJson.decode(new int[] {idOfByte(0xE4), idOfByte(0xB8)})).isEqualTo("\uFFFD");
    }

    private static int idOfByte(int b) {
        for (int id = 0; id < gpt2.tokens.size(); id++) {
            if (gpt2.tokens.get(id).length == 1 && (gpt2.tokens.get(id)[0] & 0xFF) == b) {
                return id;
            }
        }
        throw new AssertionError("no token for byte " + b);
    }

    @Test
    void theDirectoryLoaderPrefersTokenizerJson() throws Exception {
        Tokenizer t = Tokenizers.fromDirectory(gpt2.dir);
        assertThat(t.toJson()).isEqualTo(fromJson.toJson());
        String s = "Direct'ory 12 loads";
        assertThat(t.encode(s)).isEqualTo(gpt2.expected(s));
    }

    @Test
    void theWrittenTokenizerJsonReadsBackToTheSameTokenizer(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path file = tmp.resolve("tokenizer.json");
        Tokenizers.save(fromVocabMerges, file);
        Tokenizer back = Tokenizers.load(file);
        assertThat(back.toJson()).isEqualTo(fromVocabMerges.toJson());
        for (String s : HardStrings.wellFormed()) {
            assertThat(back.encode(s)).isEqualTo(fromJson.encode(s));
        }
    }
}
