package org.transformer4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face's files on a small byte-level vocabulary (the 256 bytes, a few merges, {@code <|endoftext|>}):
 * what is read, and every malformed or unsupported file refused with its name and the field or line.
 */
class HuggingFaceFilesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The 256 single bytes (ids = GPT-2's order of stand-ins is irrelevant here: id = byte), then merges. */
    private static Map<String, Integer> vocab() {
        Map<String, Integer> v = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            v.put(Gpt2Fixture.text(new byte[] {(byte) b}), b);
        }
        v.put("Ġt", 256);
        v.put("he", 257);
        v.put("Ġthe", 258);
        v.put("<|endoftext|>", 259);
        return v;
    }

    private static final List<String[]> MERGES = List.of(new String[] {"Ġ", "t"}, new String[] {"h", "e"},
            new String[] {"Ġt", "he"});

    private static String json(Consumer<ObjectNode> change) throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(Gpt2Fixture.huggingFaceJson(vocab(), MERGES, false, true));
        change.accept(root);
        return MAPPER.writeValueAsString(root);
    }

    private static ObjectNode model(ObjectNode root) {
        return (ObjectNode) root.get("model");
    }

    private static void refused(String json, String... fragments) {
        assertThatThrownBy(() -> Tokenizers.fromJson(json, "dir/tokenizer.json"))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("dir/tokenizer.json")
                .hasMessageContainingAll(fragments);
    }

    @Test
    void readsTheSmallGpt2LayoutAndAppliesItsMerges() throws Exception {
        Tokenizer t = Tokenizers.fromJson(json(r -> { }));
        assertThat(t.vocabSize()).isEqualTo(260);
        // " the" -> Ġ t h e -> (Ġ,t) rank 0, (h,e) rank 1, (Ġt,he) rank 2 -> Ġthe
        assertThat(t.encode(" the")).containsExactly(258);
        assertThat(t.encode("the<|endoftext|>")).containsExactly('t', 257, 259);
        assertThat(t.decode(new int[] {258, 259})).isEqualTo(" the<|endoftext|>");
    }

    @Test
    void byteLevelOptionsPrefixSpaceAndNoRegex() throws Exception {
        Tokenizer prefix = Tokenizers.fromJson(json(r -> ((ObjectNode) r.get("pre_tokenizer"))
                .put("add_prefix_space", true)));
        assertThat(prefix.encode("the")).containsExactly(258);
        assertThat(prefix.encode("the<|endoftext|>the")).containsExactly(258, 259, 258);
        assertThat(prefix.encode(" the")).containsExactly(258);
        // without the regex a whole piece is one chunk, so merges cross what GPT-2 would split ("!" then " the")
        Tokenizer noRegex = Tokenizers.fromJson(json(r -> ((ObjectNode) r.get("pre_tokenizer"))
                .put("use_regex", false)));
        assertThat(noRegex.encode("he!the the")).containsExactly(257, '!', 't', 257, 258);
        assertThat(noRegex.toJson()).contains("\"use_regex\" : false");
        assertThat(Tokenizers.fromJson(noRegex.toJson()).encode("x the")).isEqualTo(noRegex.encode("x the"));
    }

    @Test
    void otherModelsAndComponentsAreRefusedByName() throws Exception {
        refused(json(r -> model(r).put("type", "WordPiece")), "'model.type'", "WordPiece", "only \"BPE\"");
        refused(json(r -> model(r).put("type", "Unigram")), "'model.type'", "Unigram");
        refused(json(r -> r.putObject("normalizer").put("type", "Lowercase")), "'normalizer'", "Lowercase");
        refused(json(r -> r.putObject("pre_tokenizer").put("type", "Whitespace")), "'pre_tokenizer.type'",
                "Whitespace");
        refused(json(r -> r.putObject("decoder").put("type", "WordPiece")), "'decoder.type'", "WordPiece");
        refused(json(r -> r.putObject("post_processor").put("type", "BertProcessing")), "'post_processor.type'",
                "BertProcessing");
        refused(json(r -> r.putObject("truncation").put("max_length", 512)), "'truncation'");
        refused(json(r -> model(r).put("dropout", 0.1)), "'model.dropout'");
        refused(json(r -> model(r).put("byte_fallback", "yes")), "'model.byte_fallback'", "true or false");
        refused(json(r -> model(r).put("continuing_subword_prefix", "##")), "'model.continuing_subword_prefix'");
        refused(json(r -> ((ObjectNode) r.get("added_tokens").get(0)).put("lstrip", true)),
                "'added_tokens[0].lstrip'", "<|endoftext|>");
        refused(json(r -> ((ObjectNode) r.get("pre_tokenizer")).put("add_prefix_space", 1)),
                "'pre_tokenizer.add_prefix_space'", "true or false");
        refused(json(r -> r.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers")
                .addObject().put("type", "Digits")), "'pre_tokenizer.pretokenizers[0]'", "must end with ByteLevel");
        refused(json(r -> {
            ArrayNode steps = r.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers");
            steps.addObject().put("type", "ByteLevel");
            steps.addObject().put("type", "Digits");
        }), "'pre_tokenizer.pretokenizers[1]'", "after ByteLevel");
        refused(json(r -> r.putObject("pre_tokenizer").put("type", "Split").put("behavior", "Isolated")
                .putObject("pattern").put("Regex", "(?<x")), "'pre_tokenizer.pattern.Regex'", "java.util.regex");
        refused(json(r -> r.putObject("pre_tokenizer").put("type", "Split").put("behavior", "Glued")
                .putObject("pattern").put("String", " ")), "'pre_tokenizer.behavior'", "Glued");
        refused(json(r -> r.putNull("pre_tokenizer")), "'pre_tokenizer'", "missing", "Llama 2");
        refused(json(r -> r.putObject("normalizer").put("type", "Sequence").putArray("normalizers").addObject()
                .put("type", "Prepend")), "'normalizer.normalizers[0]'", "Prepend");
        refused(json(r -> r.putObject("post_processor").put("type", "TemplateProcessing").putArray("single")
                .addObject().putObject("SpecialToken").put("id", "<s>")), "'post_processor.special_tokens'",
                "<s>");
        refused(json(r -> r.put("version", "2.0")), "'version'", "2.0");
    }

    @Test
    void inconsistentVocabulariesAndMergesAreRefused() throws Exception {
        refused(json(r -> ((ArrayNode) model(r).get("merges")).add("Ġthe x")), "'model.merges[3]'",
                "merged token \"Ġthex\"");
        refused(json(r -> ((ArrayNode) model(r).get("merges")).add("zz q")), "'model.merges[3]'",
                "unknown left token \"zz\"");
        refused(json(r -> ((ArrayNode) model(r).get("merges")).add("a b c")), "'model.merges[3]'", "two tokens");
        refused(json(r -> ((ObjectNode) model(r).get("vocab")).remove("a")), "'model.vocab'", "not contiguous");
        refused(json(r -> ((ObjectNode) model(r).get("vocab")).put("a", 7)), "'model.vocab'", "duplicate id 7");
        refused(json(r -> ((ObjectNode) r.get("added_tokens").get(0)).put("id", 5)), "'added_tokens'",
                "duplicate id 5");
        refused(json(r -> ((ObjectNode) model(r).get("vocab")).put("hé llo", 260)), "not a byte-level token");
    }

    @Test
    void addedTokensOutsideTheVocabularyAndNonSpecialOnes() throws Exception {
        Tokenizer t = Tokenizers.fromJson(json(r -> {
            ((ArrayNode) r.get("added_tokens")).addObject().put("id", 260).put("content", "<|im_start|>")
                    .put("special", true);
            ((ArrayNode) r.get("added_tokens")).addObject().put("id", 261).put("content", "[word]")
                    .put("special", false);
        }));
        assertThat(t.vocabSize()).isEqualTo(262);
        assertThat(t.specialTokens()).containsOnlyKeys("<|endoftext|>", "<|im_start|>");
        assertThat(t.encode("<|im_start|>[word]")).containsExactly(260, 261);
        // not parsing special tokens still finds the added token that is not special, as Hugging Face does
        assertThat(t.encode("[word]", false)).containsExactly(261);
        assertThat(t.decode(new int[] {260, 258, 261})).isEqualTo("<|im_start|> the[word]");
        Tokenizer back = Tokenizers.fromJson(t.toJson());
        assertThat(back.encode("<|im_start|> the[word]")).containsExactly(260, 258, 261);
        assertThat(back.specialTokens()).isEqualTo(t.specialTokens());
    }

    private static void writePair(Path dir, String merges) throws Exception {
        Files.writeString(dir.resolve("vocab.json"), MAPPER.writeValueAsString(vocab()));
        Files.writeString(dir.resolve("merges.txt"), merges);
    }

    @Test
    void vocabAndMergesAreReadWithTheirVersionHeader(@TempDir Path dir) throws Exception {
        writePair(dir, "#version: 0.2\nĠ t\nh e\nĠt he\n");
        Tokenizer t = Tokenizers.fromDirectory(dir);
        assertThat(t.encode(" the<|endoftext|>")).containsExactly(258, 259);
        assertThat(t.specialTokens()).containsOnlyKeys("<|endoftext|>");
        writePair(dir, "Ġ t\nh e\nĠt he"); // no header, no final newline
        assertThat(Tokenizers.fromDirectory(dir).encode(" the")).containsExactly(258);
        // written out, it is Hugging Face's tokenizer.json, which the directory loader then prefers
        Tokenizers.save(t, dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("merges.txt"), "garbage that is not read\n");
        assertThat(Tokenizers.fromDirectory(dir).encode(" the")).containsExactly(258);
    }

    @Test
    void badMergesLinesAndDisagreeingPairsNameTheFileAndLine(@TempDir Path dir) throws Exception {
        Path merges = dir.resolve("merges.txt");
        writePair(dir, "#version: 0.2\nĠ t\nh e f\nĠt he\n");
        assertThatThrownBy(() -> Tokenizers.fromDirectory(dir)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContainingAll("merges.txt", merges.toString(), "line 3", "two tokens", "h e f");
        writePair(dir, "Ġ t\n\nh e\n");
        assertThatThrownBy(() -> Tokenizers.fromDirectory(dir)).hasMessageContainingAll("line 2", "two tokens");
        writePair(dir, "Ġ t\nh e\nĠt x\n");
        assertThatThrownBy(() -> Tokenizers.fromDirectory(dir)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContainingAll(merges.toString(), "line 3", "merged token \"Ġtx\"", "vocab.json");
        writePair(dir, "Ġ t\nq9 e\n");
        assertThatThrownBy(() -> Tokenizers.fromDirectory(dir)).hasMessageContainingAll("line 2",
                "unknown left token \"q9\"");
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": \"x\"}");
        assertThatThrownBy(() -> Tokenizers.fromDirectory(dir)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContainingAll("vocab.json", dir.resolve("vocab.json").toString(), "\"b\"");
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, ");
        assertThatThrownBy(() -> Tokenizers.fromDirectory(dir)).hasMessageContainingAll("vocab.json",
                "not valid JSON");
    }

    @Test
    void aDirectoryWithoutATokenizerSaysWhatItLookedFor(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Tokenizers.fromDirectory(dir)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContainingAll(dir.toString(), "tokenizer.json", "vocab.json + merges.txt");
        Files.writeString(dir.resolve("vocab.json"), "{}");
        assertThatThrownBy(() -> Tokenizers.fromDirectory(dir)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("merges.txt is missing");
        assertThatThrownBy(() -> Tokenizers.fromDirectory(dir.resolve("absent")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("not a directory");
    }
}
