package org.transformer4j.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading and writing tokenizer.json (layout in the package documentation). A reader is bound to the name of
 * its source so that every error names the file and the field.
 */
final class TokenizerJson implements FormatErrors {
    static final String VERSION = "1.0";
    static final String TYPE_CHAR = "char";
    static final String TYPE_BYTE_BPE = "byte_bpe";

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final String kind;
    private final String source;

    TokenizerJson(String source) {
        this("tokenizer.json", source);
    }

    /** A reader of a JSON file of kind {@code kind} (such as {@code "vocab.json"}), for error messages. */
    TokenizerJson(String kind, String source) {
        this.kind = kind;
        this.source = source;
    }

    // ---------------------------------------------------------------- writing

    /** A new document with the common header: version, type and added_tokens. */
    static ObjectNode header(String type, Map<String, Integer> specials) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", VERSION);
        root.put("type", type);
        ArrayNode added = root.putArray("added_tokens");
        specials.forEach((text, id) -> added.addObject().put("id", id).put("content", text).put("special", true));
        return root;
    }

    /** Pretty JSON text; lone surrogates (legal in Java strings, not in UTF-8 files) are written as escapes. */
    static String write(ObjectNode root) {
        String text;
        try {
            text = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write tokenizer JSON: " + e.getMessage(), e);
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (sb != null) {
                    sb.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (sb == null) {
                    sb = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                // surrogates only occur inside JSON string literals, where \\uXXXX is the same char
                sb.append(String.format("\\u%04X", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    // ---------------------------------------------------------------- reading

    String source() {
        return source;
    }

    @Override
    public TokenizerFormatException error(String field, String message) {
        return new TokenizerFormatException(kind + " " + source + ": field '" + field + "': " + message);
    }

    ObjectNode parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(kind + " " + source + " is not valid JSON (duplicate keys are"
                    + " rejected too): " + e.getOriginalMessage() + locationOf(e), e);
        }
        if (!(root instanceof ObjectNode obj)) {
            throw new TokenizerFormatException(kind + " " + source + ": the top level must be a JSON object, got "
                    + (root == null ? "nothing" : root.getNodeType()));
        }
        return obj;
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    JsonNode require(ObjectNode parent, String name, String path) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            throw error(path, "is missing");
        }
        return n;
    }

    ObjectNode requireObject(ObjectNode parent, String name, String path) {
        JsonNode n = require(parent, name, path);
        if (!(n instanceof ObjectNode o)) {
            throw error(path, "must be a JSON object, got " + n.getNodeType());
        }
        return o;
    }

    ArrayNode requireArray(ObjectNode parent, String name, String path) {
        JsonNode n = require(parent, name, path);
        if (!(n instanceof ArrayNode a)) {
            throw error(path, "must be a JSON array, got " + n.getNodeType());
        }
        return a;
    }

    String requireString(ObjectNode parent, String name, String path) {
        JsonNode n = require(parent, name, path);
        if (!n.isTextual()) {
            throw error(path, "must be a string, got " + n.getNodeType() + " " + n);
        }
        return n.textValue();
    }

    int requireId(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            throw error(path, "is missing");
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw error(path, "must be a non-negative integer id, got " + n);
        }
        return n.intValue();
    }

    /** Checks the version field: only {@value #VERSION} is known. */
    void checkVersion(ObjectNode root) {
        String v = requireString(root, "version", "version");
        if (!VERSION.equals(v)) {
            throw error("version", "unsupported version \"" + v + "\"; this reader knows \"" + VERSION + "\"");
        }
    }

    /** Reads {@code added_tokens} as text to id, in file order; each must have a non-empty, unique content. */
    Map<String, Integer> readAddedTokens(ObjectNode root) {
        ArrayNode arr = requireArray(root, "added_tokens", "added_tokens");
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < arr.size(); i++) {
            String path = "added_tokens[" + i + "]";
            if (!(arr.get(i) instanceof ObjectNode tok)) {
                throw error(path, "must be an object {\"id\": ..., \"content\": ...}, got " + arr.get(i));
            }
            int id = requireId(tok.get("id"), path + ".id");
            String content = requireString(tok, "content", path + ".content");
            if (content.isEmpty()) {
                throw error(path + ".content", "is empty; a special token needs some text");
            }
            if (out.putIfAbsent(content, id) != null) {
                throw error(path + ".content", "duplicate token \"" + content + "\" (also at id " + out.get(content) + ")");
            }
        }
        return out;
    }

    /**
     * Checks that the ids of {@code vocabIds} (named by {@code vocabField}) and of the added tokens are distinct
     * and together exactly 0..N-1; returns N.
     */
    int checkIds(Map<String, Integer> vocabIds, String vocabField, Map<String, Integer> added) {
        Map<Integer, String> owner = new LinkedHashMap<>();
        List<Map.Entry<String, Integer>> all = new ArrayList<>();
        vocabIds.entrySet().forEach(all::add);
        int nVocab = all.size();
        added.entrySet().forEach(all::add);
        for (int i = 0; i < all.size(); i++) {
            var e = all.get(i);
            String field = i < nVocab ? vocabField : "added_tokens";
            String prev = owner.putIfAbsent(e.getValue(), field + " \"" + e.getKey() + "\"");
            if (prev != null) {
                throw error(field, "duplicate id " + e.getValue() + ": used by " + prev + " and by \"" + e.getKey() + "\"");
            }
        }
        int n = all.size();
        for (int id : owner.keySet()) {
            if (id >= n) {
                throw error(owner.get(id).startsWith("added_tokens") ? "added_tokens" : vocabField,
                        "ids are not contiguous: " + owner.get(id) + " has id " + id + " but there are only " + n
                                + " tokens, so ids must be 0.." + (n - 1));
            }
        }
        // with n distinct ids all below n, every id 0..n-1 is used
        return n;
    }
}
