package org.transformer4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertTrue(tok instanceof CharTokenizer);
        assertEquals(3, tok.vocabSize());
        assertEquals(OptionalInt.of(2), tok.eosId());
        assertArrayEquals(new int[] {1, 0, 2, 0}, tok.encode("ba<eos>a"));
    }

    @Test
    void writesTheDocumentedByteBpeLayout() throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(bpeJson());
        assertEquals("1.0", root.get("version").textValue());
        assertEquals("byte_bpe", root.get("type").textValue());
        assertEquals("BPE", root.at("/model/type").textValue());
        ObjectNode vocab = (ObjectNode) root.at("/model/vocab");
        assertEquals(260, vocab.size());
        // GPT-2 byte stand-ins: space -> U+0120 'Ġ', newline -> U+010A 'Ċ', NUL -> U+0100, 0xAD -> U+0143
        assertEquals(32, vocab.get("\u0120").intValue());
        assertEquals(10, vocab.get("\u010A").intValue());
        assertEquals(0, vocab.get("\u0100").intValue());
        assertEquals(0xAD, vocab.get("\u0143").intValue());
        assertEquals(0xE9, vocab.get("\u00E9").intValue());
        assertEquals(97, vocab.get("a").intValue());
        assertEquals(258, vocab.get("aaab").intValue());
        assertEquals("[\"a a\",\"a b\",\"aa ab\",\"a c\"]", root.at("/model/merges").toString());
        assertEquals("[{\"id\":260,\"content\":\"<eos>\",\"special\":true}]", root.get("added_tokens").toString());
    }

    /** A tiny trained tokenizer as JSON: merges (a,a) (a,b) (aa,ab) (a,c), then "<eos>" at id 260. */
    private static String bpeJson() {
        return ByteLevelBpeTokenizer.train("aaabdaaabac", 261, List.of("<eos>")).toJson();
    }

    private static void assertFormatError(String json, String... fragments) {
        var e = assertThrows(TokenizerFormatException.class, () -> Tokenizers.fromJson(json, "test/tokenizer.json"));
        assertTrue(e.getMessage().contains("test/tokenizer.json"), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
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
        var e = assertThrows(NoSuchFileException.class, () -> Tokenizers.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void loadRejectsNonUtf8Files(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.write(file, new byte[] {'{', (byte) 0xFF, '}'});
        var e = assertThrows(TokenizerFormatException.class, () -> Tokenizers.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void saveAndLoadGiveIdenticalEncodings(@TempDir Path dir) throws Exception {
        String text = RandomStrings.shakespeare();
        ByteLevelBpeTokenizer tok = ByteLevelBpeTokenizer.train(text, 400, List.of(Tokenizer.EOS, "<|\uD800|>"));
        Path file = dir.resolve("tokenizer.json");
        Tokenizers.save(tok, file);
        Tokenizers.save(tok, file); // replacing an existing file works too
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
        Tokenizer back = Tokenizers.load(file);
        assertTrue(back instanceof ByteLevelBpeTokenizer);
        assertEquals(tok.vocabSize(), back.vocabSize());
        assertEquals(tok.specialTokens(), back.specialTokens());
        assertArrayEquals(tok.encode(text), back.encode(text));
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 300; i++) {
            String s = RandomStrings.next(r, 40) + "<eos><|\uD800|>";
            assertArrayEquals(tok.encode(s), back.encode(s), () -> ByteLevelBpeTokenizerTest.escape(s));
        }
        assertEquals(tok.toJson(), back.toJson());
        // merges may also be written as pairs, as newer Hugging Face files do
        String pairs = mutated(tok.toJson(), root -> {
            ArrayNode merges = (ArrayNode) model(root).get("merges");
            for (int k = 0; k < merges.size(); k++) {
                String[] p = merges.get(k).textValue().split(" ");
                merges.set(k, MAPPER.createArrayNode().add(p[0]).add(p[1]));
            }
        });
        assertArrayEquals(tok.encode(text), Tokenizers.fromJson(pairs).encode(text));
    }

    @Test
    void saveNamesAMissingDirectory(@TempDir Path dir) {
        Path file = dir.resolve("absent/tokenizer.json");
        var e = assertThrows(java.io.IOException.class,
                () -> Tokenizers.save(CharTokenizer.fromText("ab"), file));
        assertTrue(e.getMessage().contains("absent"), e.getMessage());
    }
}
