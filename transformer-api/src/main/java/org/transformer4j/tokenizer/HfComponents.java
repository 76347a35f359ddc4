package org.transformer4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the components of Hugging Face's tokenizer.json around a byte-level BPE model into a
 * {@link ByteLevelBpeTokenizer.Pipeline}: {@code normalizer}, {@code pre_tokenizer}, {@code post_processor},
 * {@code decoder} and the model's options. What a component supports is in the package documentation; anything
 * else is refused with its JSON path and type. GPT-2's own files (vocab.json + merges.txt) go through the same
 * reader with the components of {@link #GPT2_COMPONENTS}.
 */
final class HfComponents {
    /** GPT-2's components, as Hugging Face writes them in GPT-2's tokenizer.json. */
    static final String GPT2_COMPONENTS = """
            {"normalizer": null,
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
             "post_processor": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
             "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
             "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": "",
                       "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false}}
            """;

    private final TokenizerJson in;

    private HfComponents(TokenizerJson in) {
        this.in = in;
    }

    /** GPT-2's pipeline (see {@link #GPT2_COMPONENTS}). */
    static ByteLevelBpeTokenizer.Pipeline gpt2() {
        TokenizerJson in = new TokenizerJson("GPT-2's built-in components");
        return read(in.parse(GPT2_COMPONENTS), in);
    }

    /**
     * The pipeline of {@code root} (a whole tokenizer.json, or just its components): model options checked,
     * components parsed, their JSON kept for writing back.
     */
    static ByteLevelBpeTokenizer.Pipeline read(ObjectNode root, TokenizerJson in) {
        HfComponents r = new HfComponents(in);
        ObjectNode model = in.requireObject(root, "model", "model");
        boolean ignoreMerges = r.modelOptions(model);
        JsonNode norm = root.get("normalizer");
        Normalizer normalizer = norm == null || norm.isNull() ? null : r.normalizer(norm, "normalizer");
        PreTokenizer pre = r.preTokenizer(root);
        List<int[]> wrap = r.postProcessor(root.get("post_processor"), "post_processor");
        r.decoder(root.get("decoder"), "decoder");
        ObjectNode json = TokenizerJson.MAPPER.createObjectNode();
        for (String name : List.of("normalizer", "pre_tokenizer", "post_processor", "decoder")) {
            JsonNode n = root.get(name);
            json.set(name, n == null ? json.nullNode() : n.deepCopy());
        }
        ObjectNode options = model.deepCopy();
        options.remove("vocab");
        options.remove("merges");
        json.set("model", options);
        return new ByteLevelBpeTokenizer.Pipeline(ByteLevelBpeTokenizer.Layout.HUGGING_FACE, normalizer, pre,
                ignoreMerges, wrap.get(0), wrap.get(1), json);
    }

    // ---------------------------------------------------------------- model

    /** Checks the BPE options; returns ignore_merges. */
    private boolean modelOptions(ObjectNode model) {
        String modelType = in.requireString(model, "type", "model.type");
        if (!modelType.equals("BPE")) {
            throw in.error("model.type", "unsupported model type \"" + modelType + "\"; only \"BPE\" (byte-level,"
                    + " as GPT-2, Llama 3, Qwen2, SmolLM2) is supported, not WordPiece, Unigram or WordLevel");
        }
        JsonNode dropout = model.get("dropout");
        if (dropout != null && !dropout.isNull()) {
            throw in.error("model.dropout", "unsupported " + dropout + ": BPE dropout makes encoding random; set it"
                    + " to null");
        }
        for (String name : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode n = model.get(name);
            if (n != null && !n.isNull() && !(n.isTextual() && n.textValue().isEmpty())) {
                throw in.error("model." + name, "must be null or \"\" for a byte-level BPE, got " + n);
            }
        }
        // byte_fallback and fuse_unk only act on symbols missing from the vocabulary, which a byte-level
        // vocabulary (all 256 bytes, checked on assembly) never has
        bool(model, "byte_fallback", "model.byte_fallback", false);
        bool(model, "fuse_unk", "model.fuse_unk", false);
        return bool(model, "ignore_merges", "model.ignore_merges", false);
    }

    // ---------------------------------------------------------------- normalizer

    private Normalizer normalizer(JsonNode node, String path) {
        ObjectNode n = object(node, path);
        String type = in.requireString(n, "type", path + ".type");
        return switch (type) {
            case "NFC" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFC);
            case "NFD" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFD);
            case "NFKC" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> new Normalizer.Unicode(java.text.Normalizer.Form.NFKD);
            case "Sequence" -> {
                ArrayNode steps = in.requireArray(n, "normalizers", path + ".normalizers");
                List<Normalizer> list = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) {
                    list.add(normalizer(steps.get(i), path + ".normalizers[" + i + "]"));
                }
                yield new Normalizer.Sequence(list);
            }
            default -> throw in.error(path, "unsupported normalizer type \"" + type + "\"; supported: NFC, NFD,"
                    + " NFKC, NFKD and Sequence of them");
        };
    }

    // ---------------------------------------------------------------- pre-tokenizer

    /** The pre-tokenizer: its steps (nested sequences flattened) must end with the one ByteLevel. */
    private PreTokenizer preTokenizer(ObjectNode root) {
        JsonNode node = root.get("pre_tokenizer");
        if (node == null || node.isNull()) {
            throw in.error("pre_tokenizer", "is missing; a byte-level BPE needs a ByteLevel pre-tokenizer (a BPE"
                    + " over characters, SentencePiece-style as Llama 2's, is not supported)");
        }
        List<PreTokenizer> steps = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        preTokenizerSteps(node, "pre_tokenizer", steps, paths);
        if (steps.isEmpty()) {
            throw in.error("pre_tokenizer", "is an empty Sequence; a byte-level BPE needs a ByteLevel pre-tokenizer");
        }
        for (int i = 0; i < steps.size(); i++) {
            boolean byteLevel = steps.get(i) instanceof PreTokenizers.ByteLevel;
            if (byteLevel && i != steps.size() - 1) {
                throw in.error(paths.get(i + 1), "unsupported: a pre-tokenizer after ByteLevel (" + paths.get(i)
                        + ") would see byte stand-ins; ByteLevel must come last");
            }
            if (!byteLevel && i == steps.size() - 1) {
                throw in.error(paths.get(i), "unsupported: the pre-tokenizer must end with ByteLevel, which maps"
                        + " the text to the bytes a byte-level BPE merges (a BPE over characters,"
                        + " SentencePiece-style as Llama 2's, is not supported)");
            }
        }
        return steps.size() == 1 ? steps.getFirst() : new PreTokenizers.Sequence(steps);
    }

    private void preTokenizerSteps(JsonNode node, String path, List<PreTokenizer> steps, List<String> paths) {
        ObjectNode n = object(node, path);
        String type = in.requireString(n, "type", path + ".type");
        switch (type) {
            case "Sequence" -> {
                ArrayNode list = in.requireArray(n, "pretokenizers", path + ".pretokenizers");
                for (int i = 0; i < list.size(); i++) {
                    preTokenizerSteps(list.get(i), path + ".pretokenizers[" + i + "]", steps, paths);
                }
                return;
            }
            case "ByteLevel" -> steps.add(new PreTokenizers.ByteLevel(
                    bool(n, "add_prefix_space", path + ".add_prefix_space", true),
                    bool(n, "use_regex", path + ".use_regex", true)));
            case "Split" -> steps.add(split(n, path));
            case "Digits" -> steps.add(new PreTokenizers.Digits(
                    bool(n, "individual_digits", path + ".individual_digits", false)));
            default -> throw in.error(path + ".type", "unsupported pre-tokenizer type \"" + type + "\"; supported:"
                    + " ByteLevel, Split, Digits and Sequence of them" + (type.equals(ChunkSplitter.NAME)
                    ? " (a tokenizer.json of this project's own layout needs \"type\": \"byte_bpe\")" : ""));
        }
        paths.add(path);
    }

    private PreTokenizer split(ObjectNode n, String path) {
        ObjectNode pattern = in.requireObject(n, "pattern", path + ".pattern");
        Pattern compiled;
        if (pattern.has("Regex") && pattern.size() == 1) {
            String regex = in.requireString(pattern, "Regex", path + ".pattern.Regex");
            compiled = compileOniguruma(regex, path + ".pattern.Regex");
        } else if (pattern.has("String") && pattern.size() == 1) {
            compiled = Pattern.compile(Pattern.quote(in.requireString(pattern, "String", path + ".pattern.String")));
        } else {
            throw in.error(path + ".pattern", "must be {\"Regex\": \"...\"} or {\"String\": \"...\"}, got " + pattern);
        }
        String behavior = in.requireString(n, "behavior", path + ".behavior");
        PreTokenizers.Behavior b = PreTokenizers.Behavior.named(behavior);
        if (b == null) {
            throw in.error(path + ".behavior", "unknown behavior \"" + behavior + "\"; one of Removed, Isolated,"
                    + " MergedWithPrevious, MergedWithNext, Contiguous");
        }
        return new PreTokenizers.Split(compiled, b, bool(n, "invert", path + ".invert", false));
    }

    /**
     * An Oniguruma pattern (Hugging Face's Regex) for {@link java.util.regex}: the syntax used by tokenizers
     * ({@code (?i:...)}, {@code \p{L}}, {@code \p{N}{1,3}}, lookahead {@code \s+(?!\S)}, classes) is the same;
     * {@link Pattern#UNICODE_CHARACTER_CLASS} gives {@code \s}, {@code \d}, {@code \w} and case-insensitivity
     * their Unicode meaning, as Oniguruma has them for UTF-8 text. Oniguruma's {@code \h} (a hexadecimal digit,
     * horizontal whitespace in Java) is refused.
     */
    private Pattern compileOniguruma(String regex, String path) {
        for (int i = 0; i + 1 < regex.length(); i++) {
            if (regex.charAt(i) == '\\') {
                if (regex.charAt(i + 1) == 'h' || regex.charAt(i + 1) == 'H') {
                    throw in.error(path, "unsupported: \\" + regex.charAt(i + 1) + " means a hexadecimal digit in"
                            + " Oniguruma but horizontal whitespace in Java; write [0-9a-fA-F] instead");
                }
                i++;
            }
        }
        try {
            return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw in.error(path, "the regular expression is not supported by java.util.regex: "
                    + e.getDescription() + " near index " + e.getIndex() + " of " + regex);
        }
    }

    // ---------------------------------------------------------------- post-processor

    /** The ids put before and after a single sequence, as {@code [prefix, suffix]}. */
    private List<int[]> postProcessor(JsonNode node, String path) {
        int[] none = new int[0];
        if (node == null || node.isNull()) {
            return List.of(none, none);
        }
        ObjectNode n = object(node, path);
        String type = in.requireString(n, "type", path + ".type");
        switch (type) {
            case "ByteLevel" -> {
                return List.of(none, none); // it only moves offsets
            }
            case "Sequence" -> {
                ArrayNode list = in.requireArray(n, "processors", path + ".processors");
                int[] prefix = none;
                int[] suffix = none;
                for (int i = 0; i < list.size(); i++) {
                    List<int[]> inner = postProcessor(list.get(i), path + ".processors[" + i + "]");
                    prefix = concat(inner.get(0), prefix);
                    suffix = concat(suffix, inner.get(1));
                }
                return List.of(prefix, suffix);
            }
            case "TemplateProcessing" -> {
                return template(n, path);
            }
            default -> throw in.error(path + ".type", "unsupported post-processor type \"" + type + "\"; supported:"
                    + " ByteLevel, TemplateProcessing and Sequence of them");
        }
    }

    private List<int[]> template(ObjectNode n, String path) {
        ArrayNode single = in.requireArray(n, "single", path + ".single");
        JsonNode specials = n.get("special_tokens");
        List<Integer> prefix = new ArrayList<>();
        List<Integer> suffix = new ArrayList<>();
        boolean seenA = false;
        for (int i = 0; i < single.size(); i++) {
            String where = path + ".single[" + i + "]";
            ObjectNode piece = object(single.get(i), where);
            if (piece.has("Sequence")) {
                String id = in.requireString(object(piece.get("Sequence"), where + ".Sequence"), "id",
                        where + ".Sequence.id");
                if (!id.equals("A") || seenA) {
                    throw in.error(where, "unsupported: a single-sequence template holds sequence A once, got "
                            + piece);
                }
                seenA = true;
            } else if (piece.has("SpecialToken")) {
                String name = in.requireString(object(piece.get("SpecialToken"), where + ".SpecialToken"), "id",
                        where + ".SpecialToken.id");
                JsonNode token = specials == null ? null : specials.get(name);
                if (token == null || !token.path("ids").isArray()) {
                    throw in.error(path + ".special_tokens", "lacks \"" + name + "\" (with its \"ids\"), which "
                            + where + " uses");
                }
                ArrayNode ids = (ArrayNode) token.get("ids");
                for (int k = 0; k < ids.size(); k++) {
                    (seenA ? suffix : prefix).add(in.requireId(ids.get(k),
                            path + ".special_tokens[\"" + name + "\"].ids[" + k + "]"));
                }
            } else {
                throw in.error(where, "must be {\"Sequence\": ...} or {\"SpecialToken\": ...}, got " + piece);
            }
        }
        if (!seenA) {
            throw in.error(path + ".single", "has no {\"Sequence\": {\"id\": \"A\"}}: the text itself would be lost");
        }
        return List.of(prefix.stream().mapToInt(Integer::intValue).toArray(),
                suffix.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---------------------------------------------------------------- decoder

    private void decoder(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            throw in.error(path, "is missing; a byte-level BPE needs the ByteLevel decoder");
        }
        ObjectNode n = object(node, path);
        String type = in.requireString(n, "type", path + ".type");
        switch (type) {
            case "ByteLevel" -> {
            }
            case "Sequence" -> {
                ArrayNode list = in.requireArray(n, "decoders", path + ".decoders");
                if (list.size() != 1) {
                    throw in.error(path + ".decoders", "unsupported: only a Sequence of the one ByteLevel decoder is"
                            + " supported, got " + list.size() + " decoders");
                }
                decoder(list.get(0), path + ".decoders[0]");
            }
            default -> throw in.error(path + ".type", "unsupported decoder type \"" + type + "\"; a byte-level BPE"
                    + " needs the \"ByteLevel\" decoder");
        }
    }

    // ---------------------------------------------------------------- JSON helpers

    private ObjectNode object(JsonNode node, String path) {
        if (!(node instanceof ObjectNode o)) {
            throw in.error(path, "must be a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
        }
        return o;
    }

    private boolean bool(ObjectNode parent, String name, String path, boolean absent) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isBoolean()) {
            throw in.error(path, "must be true or false, got " + n);
        }
        return n.booleanValue();
    }
}
