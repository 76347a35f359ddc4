package org.transformer4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One token per Unicode code point, as nanoGPT's shakespeare_char: the vocabulary is the sorted distinct code
 * points of a training text (ids 0..V-1 in code point order), then optional special tokens (ids V, V+1, ...).
 *
 * <p>Lone surrogates count as code points (as {@link String#codePoints()} yields them), so any string made of
 * the alphabet round-trips. Encoding a code point outside the alphabet throws {@link IllegalArgumentException}
 * naming it and its index.
 */
public final class CharTokenizer implements Tokenizer {
    private final String[] tokenText; // by id: the code point as a string, or the special token's text
    private final boolean[] isSpecial; // by id
    private final Map<Integer, Integer> idOfCodePoint;
    private final int characterCount;
    private final SpecialTokens specials;

    private CharTokenizer(Map<Integer, Integer> idOfCodePoint, SpecialTokens specials) {
        this.idOfCodePoint = Map.copyOf(idOfCodePoint);
        this.characterCount = idOfCodePoint.size();
        this.specials = specials;
        this.tokenText = new String[characterCount + specials.asMap().size()];
        idOfCodePoint.forEach((cp, id) -> tokenText[id] = Character.toString(cp));
        this.isSpecial = new boolean[tokenText.length];
        specials.asMap().forEach((text, id) -> {
            tokenText[id] = text;
            isSpecial[id] = true;
        });
    }

    /**
     * The tokenizer of the distinct code points of {@code text}, without special tokens.
     *
     * @param text the text whose characters form the vocabulary
     * @return the tokenizer
     */
    public static CharTokenizer fromText(String text) {
        return fromText(text, List.of());
    }

    /**
     * The tokenizer of the distinct code points of {@code text} (sorted: ids 0..V-1), followed by
     * {@code specialTokens} (ids V, V+1, ... in list order).
     *
     * @param text the text whose characters form the vocabulary
     * @param specialTokens the special tokens' texts, given ids after the characters
     * @return the tokenizer
     */
    public static CharTokenizer fromText(String text, List<String> specialTokens) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(specialTokens, "specialTokens");
        int[] cps = text.codePoints().distinct().sorted().toArray();
        if (cps.length == 0) {
            throw new IllegalArgumentException("CharTokenizer.fromText: the training text is empty; "
                    + "it needs at least one character to build a vocabulary from");
        }
        Map<Integer, Integer> ids = new HashMap<>();
        for (int i = 0; i < cps.length; i++) {
            ids.put(cps[i], i);
        }
        for (String special : specialTokens) {
            if (special != null && !special.isEmpty() && special.codePointCount(0, special.length()) == 1
                    && ids.containsKey(special.codePointAt(0))) {
                throw new IllegalArgumentException("special token \"" + special + "\" is also a character of the"
                        + " training text, so its id would be ambiguous; pick a special token text that is not one"
                        + " character of the text");
            }
        }
        return new CharTokenizer(ids, SpecialTokens.numbered(specialTokens, cps.length));
    }

    /**
     * Number of ordinary (character) tokens; special tokens come on top.
     *
     * @return the character count
     */
    public int characterCount() {
        return characterCount;
    }

    @Override
    public int[] encode(String text, boolean parseSpecialTokens) {
        Objects.requireNonNull(text, "text");
        int[] out = new int[text.length()];
        int[] n = {0};
        specials.split(text, parseSpecialTokens, false, new SpecialTokens.Sink() {
            @Override
            public void text(int from, int to) {
                for (int i = from; i < to; ) {
                    int cp = ChunkSplitter.codePointAt(text, i, to);
                    Integer id = idOfCodePoint.get(cp);
                    if (id == null) {
                        throw new IllegalArgumentException("CharTokenizer: character " + describe(cp) + " at index " + i
                                + " of the input is not in the vocabulary (" + characterCount + " characters); "
                                + "build the tokenizer from a text that contains it, or clean the input");
                    }
                    out[n[0]++] = id;
                    i += Character.charCount(cp);
                }
            }

            @Override
            public void special(int id) {
                out[n[0]++] = id;
            }
        });
        return Arrays.copyOf(out, n[0]);
    }

    /** {@code U+XXXX 'c'}, with control characters and surrogates shown escaped inside the quotes. */
    static String describe(int cp) {
        String shown = Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE
                || Character.getType(cp) == Character.UNASSIGNED
                ? String.format("\\u%04X", cp) : Character.toString(cp);
        return String.format("U+%04X '%s'", cp, shown);
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= tokenText.length) {
                throw new IllegalArgumentException("CharTokenizer.decode: id " + id + " is out of range; the vocabulary"
                        + " size is " + tokenText.length + " (ids 0.." + (tokenText.length - 1) + ")");
            }
            sb.append(tokenText[id]);
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return tokenText.length;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return specials.asMap();
    }

    @Override
    public String toJson() {
        ObjectNode root = TokenizerJson.header(TokenizerJson.TYPE_CHAR, specials.asMap());
        ObjectNode model = root.putObject("model");
        model.put("type", "Char");
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokenText.length; id++) {
            if (!isSpecial[id]) {
                vocab.put(tokenText[id], id);
            }
        }
        return TokenizerJson.write(root);
    }

    /** Reads the {@code "char"} layout; the header (version, type) was checked by the caller. */
    static CharTokenizer fromJson(ObjectNode root, TokenizerJson in) {
        Map<String, Integer> added = in.readAddedTokens(root);
        ObjectNode model = in.requireObject(root, "model", "model");
        String modelType = in.requireString(model, "type", "model.type");
        if (!modelType.equals("Char")) {
            throw in.error("model.type", "must be \"Char\" for a tokenizer of type \"char\", got \"" + modelType + "\"");
        }
        ObjectNode vocab = in.requireObject(model, "vocab", "model.vocab");
        Map<String, Integer> vocabIds = new LinkedHashMap<>();
        Map<Integer, Integer> idOfCp = new HashMap<>();
        for (var it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String token = e.getKey();
            String path = "model.vocab[\"" + token + "\"]";
            if (token.isEmpty() || token.codePointCount(0, token.length()) != 1) {
                throw in.error(path, "a char vocabulary token must be exactly one code point, got \"" + token + "\"");
            }
            int id = in.requireId(e.getValue(), path);
            vocabIds.put(token, id);
            idOfCp.put(token.codePointAt(0), id);
        }
        if (vocabIds.isEmpty()) {
            throw in.error("model.vocab", "is empty; a char tokenizer needs at least one character");
        }
        for (String special : added.keySet()) {
            if (vocabIds.containsKey(special)) {
                throw in.error("added_tokens", "duplicate token \"" + special + "\": it is also a character of model.vocab");
            }
        }
        in.checkIds(vocabIds, "model.vocab", added);
        Map<String, Integer> specialsInIdOrder = new LinkedHashMap<>();
        added.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> specialsInIdOrder.put(e.getKey(), e.getValue()));
        return new CharTokenizer(idOfCp, SpecialTokens.of(specialsInIdOrder));
    }

    @Override
    public String toString() {
        return "CharTokenizer[" + characterCount + " characters, specials " + specials.asMap() + "]";
    }
}
