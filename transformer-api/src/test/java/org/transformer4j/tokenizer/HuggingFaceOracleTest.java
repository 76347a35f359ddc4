package org.transformer4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2's tokenizer.json read by Hugging Face's own tokenizers library (the Rust crate, through DJL's JNI
 * binding) and by ours: identical ids on the whole bundled Shakespeare and the hard strings; and the
 * tokenizer.json that we write is read by that library to the same ids.
 */
class HuggingFaceOracleTest {
    /** No truncation, padding or template: the ids of the text alone. */
    static final Map<String, String> PLAIN = Map.of("truncation", "false", "padding", "false",
            "addSpecialTokens", "false");

    private static Gpt2Fixture gpt2;
    private static Tokenizer ours;
    private static HuggingFaceTokenizer hf;

    @BeforeAll
    static void load() throws Exception {
        gpt2 = Gpt2Fixture.get();
        ours = Tokenizers.load(gpt2.dir.resolve("tokenizer.json"));
        hf = HuggingFaceTokenizer.newInstance(gpt2.dir.resolve("tokenizer.json"), PLAIN);
    }

    @AfterAll
    static void close() {
        if (hf != null) {
            hf.close();
        }
    }

    static int[] ids(HuggingFaceTokenizer t, String s) {
        return Arrays.stream(t.encode(s, false, false).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    @Test
    void theWholeShakespeareGivesTheSameIds() {
        String text = Gpt2Fixture.fullShakespeare();
        int[] expected = ids(hf, text);
        assertThat(expected.length).isGreaterThan(300_000);
        assertThat(ours.encode(text)).isEqualTo(expected);
    }

    @Test
    void hardStringsGiveTheSameIds() {
        for (String s : HardStrings.wellFormed()) {
            assertThat(ours.encode(s)).as(ByteLevelBpeTokenizerTest.escape(s)).isEqualTo(ids(hf, s));
        }
        // Rust strings cannot hold unpaired surrogates: the library sees U+FFFD, which is what we encode
        for (String s : HardStrings.withLoneSurrogates()) {
            assertThat(ours.encode(s)).as(ByteLevelBpeTokenizerTest.escape(s))
                    .isEqualTo(ids(hf, Gpt2Fixture.wellFormed(s)));
        }
    }

    @Test
    void theTokenizerJsonWeWriteIsReadByHuggingFaceToTheSameIds(@TempDir Path tmp) throws Exception {
        Tokenizer fromPair = Tokenizers.loadVocabAndMerges(gpt2.dir.resolve("vocab.json"),
                gpt2.dir.resolve("merges.txt"));
        Path file = tmp.resolve("tokenizer.json");
        Tokenizers.save(fromPair, file);
        try (HuggingFaceTokenizer written = HuggingFaceTokenizer.newInstance(file, PLAIN)) {
            for (String s : HardStrings.wellFormed()) {
                assertThat(ids(written, s)).as(ByteLevelBpeTokenizerTest.escape(s)).isEqualTo(ours.encode(s));
            }
            String text = Gpt2Fixture.fullShakespeare().substring(0, 100_000);
            assertThat(ids(written, text)).isEqualTo(ours.encode(text));
            assertThat(written.decode(Arrays.stream(ours.encode("Hello world<|endoftext|>")).asLongStream().toArray(), false))
                    .isEqualTo("Hello world<|endoftext|>");
        }
    }
}
