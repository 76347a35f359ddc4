package org.transformer4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Reading and writing {@link ByteLevelBpeTokenizer}s as tokenizer.json, in both layouts: this project's
 * ({@code "type": "byte_bpe"}) and Hugging Face's (GPT-2's file: model BPE, ByteLevel pre-tokenizer and
 * decoder). Also the checks and assembly shared with vocab.json + merges.txt ({@link VocabMergesFiles}).
 */
final class ByteLevelBpeJson {
    private ByteLevelBpeJson() {
    }

    // ---------------------------------------------------------------- writing

    static String write(ByteLevelBpeTokenizer tok) {
        return tok.pipeline().layout() == ByteLevelBpeTokenizer.Layout.HUGGING_FACE ? writeHuggingFace(tok)
                : writeOwn(tok);
    }

    private static String writeOwn(ByteLevelBpeTokenizer tok) {
        ObjectNode root = TokenizerJson.header(TokenizerJson.TYPE_BYTE_BPE, tok.added().all());
        root.putObject("pre_tokenizer").put("type", ChunkSplitter.NAME);
        writeModel(tok, root.putObject("model").put("type", "BPE"));
        return TokenizerJson.write(root);
    }

    /**
     * Hugging Face's layout, field for field as its tokenizers library writes it; the components (normalizer,
     * pre-tokenizer, post-processor, decoder, model options) as they were read.
     */
    private static String writeHuggingFace(ByteLevelBpeTokenizer tok) {
        ObjectNode components = tok.pipeline().hfComponents();
        ObjectNode root = TokenizerJson.MAPPER.createObjectNode();
        root.put("version", TokenizerJson.VERSION);
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        tok.added().all().forEach((text, id) -> added.addObject().put("id", id).put("content", text)
                .put("single_word", false).put("lstrip", false).put("rstrip", false)
                .put("normalized", tok.added().isNormalized(text)).put("special", tok.added().isSpecial(text)));
        for (String name : List.of("normalizer", "pre_tokenizer", "post_processor", "decoder")) {
            root.set(name, components.get(name).deepCopy());
        }
        ObjectNode model = root.putObject("model");
        model.setAll((ObjectNode) components.get("model").deepCopy());
        writeModel(tok, model);
        return TokenizerJson.write(root);
    }

    private static void writeModel(ByteLevelBpeTokenizer tok, ObjectNode model) {
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tok.vocabSize(); id++) {
            byte[] b = tok.vocabBytes(id);
            if (b != null) {
                vocab.put(ByteLevelAlphabet.toText(b), id);
            }
        }
        ArrayNode m = model.putArray("merges");
        for (int r = 0; r < tok.mergeCount(); r++) {
            int[] merge = tok.merge(r);
            m.add(ByteLevelAlphabet.toText(tok.vocabBytes(merge[0])) + " "
                    + ByteLevelAlphabet.toText(tok.vocabBytes(merge[1])));
        }
    }

    // ---------------------------------------------------------------- reading: this project's layout

    /** Reads the {@code "byte_bpe"} layout; the header (version, type) was checked by the caller. */
    static ByteLevelBpeTokenizer readOwn(ObjectNode root, TokenizerJson in) {
        Map<String, Integer> added = in.readAddedTokens(root);
        ObjectNode pre = in.requireObject(root, "pre_tokenizer", "pre_tokenizer");
        String preType = in.requireString(pre, "type", "pre_tokenizer.type");
        if (!preType.equals(ChunkSplitter.NAME)) {
            throw in.error("pre_tokenizer.type", "unknown pre-tokenizer \"" + preType + "\"; only \""
                    + ChunkSplitter.NAME + "\" is supported in a tokenizer of type \"byte_bpe\"");
        }
        ObjectNode model = in.requireObject(root, "model", "model");
        String modelType = in.requireString(model, "type", "model.type");
        if (!modelType.equals("BPE")) {
            throw in.error("model.type", "must be \"BPE\" for a tokenizer of type \"byte_bpe\", got \"" + modelType + "\"");
        }
        Map<String, Integer> vocab = readVocab(in, model);
        List<String[]> merges = readMerges(in, model);
        in.checkIds(vocab, "model.vocab", added);
        return assemble(vocab, in, "model.vocab", merges, r -> "model.merges[" + r + "]", in, added, Set.of(),
                Set.of(), ByteLevelBpeTokenizer.Pipeline.TRANSFORMER4J);
    }

    // ---------------------------------------------------------------- reading: Hugging Face's layout

    /**
     * Reads Hugging Face's layout (no top-level {@code "type"}): the components by {@link HfComponents}, the
     * vocabulary, merges and added tokens here; truncation and padding must be absent. Anything else is refused
     * naming the field.
     */
    static ByteLevelBpeTokenizer readHuggingFace(ObjectNode root, TokenizerJson in) {
        in.checkVersion(root);
        requireNull(in, root, "truncation", "encode's output would be cut; remove it (set it to null)");
        requireNull(in, root, "padding", "encode's output would be padded; remove it (set it to null)");
        ByteLevelBpeTokenizer.Pipeline pipeline = HfComponents.read(root, in);
        ObjectNode model = in.requireObject(root, "model", "model");
        Map<String, Integer> vocab = readVocabTokens(in, model);
        List<String[]> merges = readMerges(in, model);
        Set<String> notSpecial = new HashSet<>();
        Set<String> normalized = new HashSet<>();
        Map<String, Integer> added = readHuggingFaceAddedTokens(in, root, notSpecial, normalized);
        ByteLevelBpeTokenizer tok = assemble(vocab, in, "model.vocab", merges, r -> "model.merges[" + r + "]", in,
                added, notSpecial, normalized, pipeline);
        for (int[] ids : List.of(pipeline.prefix(), pipeline.suffix())) {
            for (int id : ids) {
                if (id >= tok.vocabSize()) {
                    throw in.error("post_processor", "adds id " + id + ", which is not in the vocabulary of "
                            + tok.vocabSize() + " ids");
                }
            }
        }
        return tok;
    }

    private static void requireNull(TokenizerJson in, ObjectNode parent, String path, String why) {
        String name = path.substring(path.lastIndexOf('.') + 1);
        JsonNode n = parent.get(name);
        if (n != null && !n.isNull()) {
            String what = n.isObject() && n.has("type") ? " (type \"" + n.get("type").asText() + "\")" : " " + n;
            throw in.error(path, "unsupported" + what + ": " + why);
        }
    }

    private static boolean bool(TokenizerJson in, ObjectNode parent, String name, String path, boolean absent) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isBoolean()) {
            throw in.error(path, "must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    /**
     * Hugging Face's added_tokens: {@code id}, {@code content}, {@code special}; {@code single_word},
     * {@code lstrip}, {@code rstrip} must be false (not supported); {@code normalized} (default: not special)
     * says whether the token is looked for in normalized text. Adds the contents of non-special tokens to
     * {@code notSpecial}, of normalized ones to {@code normalized}.
     */
    private static Map<String, Integer> readHuggingFaceAddedTokens(TokenizerJson in, ObjectNode root,
            Set<String> notSpecial, Set<String> normalized) {
        JsonNode node = root.get("added_tokens");
        if (node == null || node.isNull()) {
            return Map.of();
        }
        Map<String, Integer> out = in.readAddedTokens(root);
        ArrayNode arr = (ArrayNode) node;
        for (int i = 0; i < arr.size(); i++) {
            ObjectNode tok = (ObjectNode) arr.get(i);
            String path = "added_tokens[" + i + "]";
            for (String flag : List.of("single_word", "lstrip", "rstrip")) {
                if (bool(in, tok, flag, path + "." + flag, false)) {
                    throw in.error(path + "." + flag, "added token \"" + tok.get("content").textValue() + "\": "
                            + flag + " = true is not supported");
                }
            }
            boolean special = bool(in, tok, "special", path + ".special", false);
            if (!special) {
                notSpecial.add(tok.get("content").textValue());
            }
            if (bool(in, tok, "normalized", path + ".normalized", !special)) {
                normalized.add(tok.get("content").textValue());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- shared

    /** model.vocab of this project's layout: every token is byte-level text. */
    private static Map<String, Integer> readVocab(TokenizerJson in, ObjectNode model) {
        Map<String, Integer> vocab = readVocabTokens(in, model);
        for (String token : vocab.keySet()) {
            if (token.isEmpty() || ByteLevelAlphabet.toBytes(token) == null) {
                throw notByteLevel(in, "model.vocab[\"" + token + "\"]", token);
            }
        }
        return vocab;
    }

    static TokenizerFormatException notByteLevel(FormatErrors errors, String where, String token) {
        return errors.error(where, "\"" + token + "\" is not a byte-level token: every char must be one of the"
                + " 256 GPT-2 byte stand-ins (e.g. 'Ġ' for a space)");
    }

    /** model.vocab as token text to id, in file order; ids checked to be non-negative integers. */
    private static Map<String, Integer> readVocabTokens(TokenizerJson in, ObjectNode model) {
        ObjectNode vocab = in.requireObject(model, "vocab", "model.vocab");
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (var it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ids.put(e.getKey(), in.requireId(e.getValue(), "model.vocab[\"" + e.getKey() + "\"]"));
        }
        return ids;
    }

    /** model.merges as {left, right} pairs: each "LEFT RIGHT" (one space) or ["LEFT", "RIGHT"]. */
    private static List<String[]> readMerges(TokenizerJson in, ObjectNode model) {
        ArrayNode arr = in.requireArray(model, "merges", "model.merges");
        List<String[]> out = new java.util.ArrayList<>(arr.size());
        for (int r = 0; r < arr.size(); r++) {
            JsonNode m = arr.get(r);
            String[] parts = m.isTextual() ? m.textValue().split(" ", -1) : null;
            if (parts != null && parts.length == 2) {
                out.add(parts);
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                out.add(new String[] {m.get(0).textValue(), m.get(1).textValue()});
            } else {
                throw in.error("model.merges[" + r + "]", "a merge must be \"LEFT RIGHT\" (two tokens, one space) or"
                        + " [\"LEFT\", \"RIGHT\"], got " + m);
            }
        }
        return out;
    }

    /**
     * Checks and assembles a tokenizer. {@code vocab}: token text (byte stand-ins) to id. An added token may
     * share its id with the vocabulary token of the same text (GPT-2's {@code <|endoftext|>}); otherwise ids of
     * the vocabulary and the added tokens are distinct and together exactly 0..N-1. A vocabulary token that is
     * not byte-level text must be an added token. All 256 single bytes must be tokens. Merge {@code A B} needs
     * A, B and AB in the vocabulary, and a pair may be merged once.
     */
    static ByteLevelBpeTokenizer assemble(Map<String, Integer> vocab, FormatErrors vocabErrors, String vocabField,
            List<String[]> merges, IntFunction<String> mergeWhere, FormatErrors mergeErrors,
            Map<String, Integer> added, Set<String> notSpecial, Set<String> normalized,
            ByteLevelBpeTokenizer.Pipeline pipeline) {
        TreeMap<Integer, String> owner = new TreeMap<>();
        for (var e : vocab.entrySet()) {
            String prev = owner.putIfAbsent(e.getValue(), "\"" + e.getKey() + "\"");
            if (prev != null) {
                throw vocabErrors.error(vocabField, "duplicate id " + e.getValue() + ": used by " + prev + " and by \""
                        + e.getKey() + "\"");
            }
        }
        for (var e : added.entrySet()) {
            Integer vocabId = vocab.get(e.getKey());
            if (vocabId != null && vocabId.equals(e.getValue())) {
                continue; // the same token in both lists
            }
            String prev = owner.putIfAbsent(e.getValue(), "added token \"" + e.getKey() + "\"");
            if (prev != null) {
                throw vocabErrors.error("added_tokens", "duplicate id " + e.getValue() + ": used by " + prev
                        + " and by added token \"" + e.getKey() + "\"");
            }
        }
        int n = owner.size();
        if (n > 0 && owner.lastKey() >= n) {
            int id = owner.lastKey();
            throw vocabErrors.error(owner.get(id).startsWith("added") ? "added_tokens" : vocabField, "ids are not"
                    + " contiguous: " + owner.get(id) + " has id " + id + " but there are only " + n
                    + " tokens, so ids must be 0.." + (n - 1));
        }
        byte[][] bytes = new byte[n][];
        for (var e : vocab.entrySet()) {
            String token = e.getKey();
            byte[] b = token.isEmpty() ? null : ByteLevelAlphabet.toBytes(token);
            if (b == null && !e.getValue().equals(added.get(token))) {
                throw notByteLevel(vocabErrors, vocabField + "[\"" + token + "\"]", token);
            }
            bytes[e.getValue()] = b;
        }
        for (int b = 0; b < 256; b++) {
            String single = ByteLevelAlphabet.toText(new byte[] {(byte) b});
            if (!vocab.containsKey(single)) {
                throw vocabErrors.error(vocabField, String.format("lacks the token of byte 0x%02X (\"%s\"); a"
                        + " byte-level vocabulary must hold all 256 single bytes", b, single));
            }
        }
        int[][] m = new int[merges.size()][];
        Set<Long> seen = new HashSet<>();
        for (int r = 0; r < m.length; r++) {
            String left = merges.get(r)[0];
            String right = merges.get(r)[1];
            String shown = "\"" + left + " " + right + "\"";
            for (String[] t : new String[][] {{left, "left token"}, {right, "right token"},
                    {left + right, "merged token"}}) {
                if (!vocab.containsKey(t[0])) {
                    throw mergeErrors.error(mergeWhere.apply(r), "merge " + shown + " refers to unknown " + t[1]
                            + " \"" + t[0] + "\", which is not in " + vocabField);
                }
            }
            int l = vocab.get(left);
            int rt = vocab.get(right);
            if (!seen.add(PairRanks.key(l, rt))) {
                throw mergeErrors.error(mergeWhere.apply(r), "duplicate merge " + shown
                        + "; each pair may be merged only once");
            }
            m[r] = new int[] {l, rt, vocab.get(left + right)};
        }
        Map<String, Integer> addedInIdOrder = new LinkedHashMap<>();
        added.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> addedInIdOrder.put(e.getKey(), e.getValue()));
        return new ByteLevelBpeTokenizer(bytes, m, SpecialTokens.of(addedInIdOrder, notSpecial, normalized), pipeline);
    }
}
