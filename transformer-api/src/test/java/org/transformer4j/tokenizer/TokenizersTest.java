package org.transformer4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CHAR_JSON = """
            {"version": "1.0", "type": "char",
             "added_tokens": [{"id": 2, "content": "<eos>", "special": true}],
             "model": {"type": "Char", "vocab": {"a": 0, "b": 1}}}
            """;

    @Test
    void readsAHandWrittenCharTokenizer() {
        Tokenizer tok = Tokenizers.fromJson(CHAR_JSON);
        assertThat(tok).isInstanceOf(CharTokenizer.class);
        assertThat(tok.vocabSize()).isEqualTo(3);
        assertThat(tok.eosId()).isEqualTo(OptionalInt.of(2));
        assertThat(tok.encode("ba<eos>a")).isEqualTo(new int[] {1, 0, 2, 0});
    }

    @Test
    void writesTheDocumentedByteBpeLayout() throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(bpeJson());
        assertThat(root.get("version").textValue()).isEqualTo("1.0");
        assertThat(root.get("type").textValue()).isEqualTo("byte_bpe");
        assertThat(root.at("/model/type").textValue()).isEqualTo("BPE");
        ObjectNode vocab = (ObjectNode) root.at("/model/vocab");
        assertThat(vocab.size()).isEqualTo(260);
        // GPT-2 byte stand-ins: space -> U+0120 'Ġ', newline -> U+010A 'Ċ', NUL -> U+0100, 0xAD -> U+0143
        assertThat(vocab.get("\u0120").intValue()).isEqualTo(32);
        assertThat(vocab.get("\u010A").intValue()).isEqualTo(10);
        assertThat(vocab.get("\u0100").intValue()).isEqualTo(0);
        assertThat(vocab.get("\u0143").intValue()).isEqualTo(0xAD);
        assertThat(vocab.get("\u00E9").intValue()).isEqualTo(0xE9);
        assertThat(vocab.get("a").intValue()).isEqualTo(97);
        assertThat(vocab.get("aaab").intValue()).isEqualTo(258);
        assertThat(root.at("/model/merges").toString()).isEqualTo("[\"a a\",\"a b\",\"aa ab\",\"a c\"]");
        assertThat(root.get("added_tokens").toString()).isEqualTo("[{\"id\":260,\"content\":\"<eos>\",\"special\":true}]");
    }

    /** A tiny trained tokenizer as JSON: merges (a,a) (a,b) (aa,ab) (a,c), then "<eos>" at id 260. */
    private static String bpeJson() {
        return ByteLevelBpeTokenizer.train("aaabdaaabac", 261, List.of("<eos>")).toJson();
    }

    private static void assertFormatError(String json, String... fragments) {
        assertThatThrownBy(() -> Tokenizers.fromJson(json, "test/tokenizer.json"))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("test/tokenizer.json")
                .hasMessageContainingAll(fragments);
    }

    private static String mutated(String json, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) MAPPER.readTree(json);
            change.accept(root);
            return MAPPER.writeValueAsString(root);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ObjectNode model(ObjectNode root) {
        return (ObjectNode) root.get("model");
    }

    @Test
    void corruptFilesFailNamingTheFileAndField() {
        String bpe = bpeJson();
        assertFormatError("{", "not valid JSON");
        assertFormatError("[1, 2]", "top level");
        assertFormatError(mutated(bpe, r -> r.put("type", "wordpiece")), "'type'", "wordpiece");
        // without "type" the file is taken for Hugging Face's layout, whose reader names what it cannot read
        assertFormatError(mutated(bpe, r -> r.remove("type")), "'pre_tokenizer.type'", "\"type\": \"byte_bpe\"");
        assertFormatError(mutated(bpe, r -> r.put("version", "2.0")), "'version'", "2.0");
        assertFormatError(mutated(bpe, r -> model(r).remove("merges")), "'model.merges'", "missing");
        assertFormatError(mutated(bpe, r -> model(r).remove("vocab")), "'model.vocab'", "missing");
        assertFormatError(mutated(bpe, r -> r.remove("added_tokens")), "'added_tokens'", "missing");
        assertFormatError(mutated(bpe, r -> model(r).put("type", "WordPiece")), "'model.type'");
        assertFormatError(mutated(bpe, r -> ((ObjectNode) r.get("pre_tokenizer")).put("type", "Whitespace")),
                "'pre_tokenizer.type'", "Whitespace");
        // a merge naming a token that is not in the vocabulary
        assertFormatError(mutated(bpe, r -> ((ArrayNode) model(r).get("merges")).add("zz q")),
                "'model.merges[4]'", "\"zz\"");
        assertFormatError(mutated(bpe, r -> ((ArrayNode) model(r).get("merges")).add("d aa")),
                "'model.merges[4]'", "merged token", "\"daa\"");
        assertFormatError(mutated(bpe, r -> ((ArrayNode) model(r).get("merges")).add("a b c")), "'model.merges[4]'");
        assertFormatError(mutated(bpe, r -> ((ArrayNode) model(r).get("merges")).add("a a")),
                "'model.merges[4]'", "duplicate merge");
        // ids: duplicate, gap, clash with an added token
        assertFormatError(mutated(bpe, r -> ((ObjectNode) model(r).get("vocab")).put("aaab", 5)),
                "'model.vocab'", "duplicate id 5");
        assertFormatError(mutated(bpe, r -> ((ObjectNode) model(r).get("vocab")).put("aaab", 999)),
                "not contiguous", "999");
        assertFormatError(mutated(bpe, r -> ((ObjectNode) r.get("added_tokens").get(0)).put("id", 0)),
                "'added_tokens'", "duplicate id 0");
        assertFormatError(mutated(bpe, r -> ((ObjectNode) r.get("added_tokens").get(0)).put("id", -1)),
                "'added_tokens[0].id'");
        assertFormatError(mutated(bpe, r -> ((ObjectNode) model(r).get("vocab")).put("aaab", "x")),
                "model.vocab[\"aaab\"]");
        // the byte of a space is missing: ids are then not contiguous, or the byte check names it
        assertFormatError(mutated(bpe, r -> {
            ObjectNode v = (ObjectNode) model(r).get("vocab");
            int id = v.remove("\u0120").intValue();
            v.put("Ġx", id);
        }), "'model.vocab'", "0x20");
        assertFormatError(mutated(bpe, r -> ((ObjectNode) model(r).get("vocab")).put("a b", 261)),
                "model.vocab[\"a b\"]", "not a byte-level token");
        // added tokens: repeated content, empty content
        assertFormatError(mutated(bpe, r -> ((ArrayNode) r.get("added_tokens")).addObject()
                .put("id", 261).put("content", "<eos>")), "'added_tokens[1].content'", "duplicate token");
        assertFormatError(mutated(bpe, r -> ((ObjectNode) r.get("added_tokens").get(0)).put("content", "")),
                "'added_tokens[0].content'", "empty");
        // char layout
        assertFormatError(CHAR_JSON.replace("\"b\": 1", "\"a\": 1"), "not valid JSON", "Duplicate field");
        assertFormatError(CHAR_JSON.replace("\"b\": 1", "\"bc\": 1"), "model.vocab[\"bc\"]", "one code point");
        assertFormatError(CHAR_JSON.replace("\"b\": 1", "\"b\": 3"), "not contiguous");
        assertFormatError(CHAR_JSON.replace("\"<eos>\"", "\"a\""), "'added_tokens'", "duplicate token \"a\"");
        assertFormatError(CHAR_JSON.replace("\"Char\"", "\"BPE\""), "'model.type'");
    }

    @Test
    void loadNamesAMissingFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope/tokenizer.json");
        assertThatThrownBy(() -> Tokenizers.load(missing)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void loadRejectsNonUtf8Files(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.write(file, new byte[] {'{', (byte) 0xFF, '}'});
        assertThatThrownBy(() -> Tokenizers.load(file)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContainingAll(file.toString(), "UTF-8");
    }

    @Test
    void saveAndLoadGiveIdenticalEncodings(@TempDir Path dir) throws Exception {
        String text = RandomStrings.shakespeare();
        ByteLevelBpeTokenizer tok = ByteLevelBpeTokenizer.train(text, 400, List.of(Tokenizer.EOS, "<|\uD800|>"));
        Path file = dir.resolve("tokenizer.json");
        Tokenizers.save(tok, file);
        Tokenizers.save(tok, file); // replacing an existing file works too
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("no temporary file is left behind").isEqualTo(List.of(file));
        }
        Tokenizer back = Tokenizers.load(file);
        assertThat(back).isInstanceOf(ByteLevelBpeTokenizer.class);
        assertThat(back.vocabSize()).isEqualTo(tok.vocabSize());
        assertThat(back.specialTokens()).isEqualTo(tok.specialTokens());
        assertThat(back.encode(text)).isEqualTo(tok.encode(text));
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 300; i++) {
            String s = RandomStrings.next(r, 40) + "<eos><|\uD800|>";
            assertThat(back.encode(s)).as(ByteLevelBpeTokenizerTest.escape(s)).isEqualTo(tok.encode(s));
        }
        assertThat(back.toJson()).isEqualTo(tok.toJson());
        // merges may also be written as pairs, as newer Hugging Face files do
        String pairs = mutated(tok.toJson(), root -> {
            ArrayNode merges = (ArrayNode) model(root).get("merges");
            for (int k = 0; k < merges.size(); k++) {
                String[] p = merges.get(k).textValue().split(" ");
                merges.set(k, MAPPER.createArrayNode().add(p[0]).add(p[1]));
            }
        });
        assertThat(Tokenizers.fromJson(pairs).encode(text)).isEqualTo(tok.encode(text));
    }

    @Test
    void saveNamesAMissingDirectory(@TempDir Path dir) {
        Path file = dir.resolve("absent/tokenizer.json");
        assertThatThrownBy(() -> Tokenizers.save(CharTokenizer.fromText("ab"), file)).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("absent");
    }
}
