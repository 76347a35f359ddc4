package org.transformer4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads GPT-2's original pair of files: {@code vocab.json} (a JSON object, token in byte stand-ins to id) and
 * {@code merges.txt} (one merge {@code LEFT RIGHT} a line in rank order, an optional first line starting with
 * {@code #version}, an optional final newline). The result is Hugging Face's GPT-2 tokenizer: GPT-2's split, no
 * prefix space, and {@code <|endoftext|>} a special token when the vocabulary has it (the special token that
 * Hugging Face's GPT2Tokenizer gives such files by default).
 */
final class VocabMergesFiles {
    /** GPT-2's one special token, its end of text and document separator. */
    static final String END_OF_TEXT = "<|endoftext|>";

    private VocabMergesFiles() {
    }

    static ByteLevelBpeTokenizer read(Path vocabFile, Path mergesFile) throws IOException {
        TokenizerJson vocabIn = new TokenizerJson("vocab.json", vocabFile.toString());
        ObjectNode root = vocabIn.parse(Tokenizers.readUtf8(vocabFile, "vocab.json"));
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (var it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            vocab.put(e.getKey(), vocabIn.requireId(e.getValue(), "token \"" + e.getKey() + "\""));
        }
        FormatErrors mergesErrors = (where, message) ->
                new TokenizerFormatException("merges.txt " + mergesFile + ": " + where + ": " + message);
        String text = Tokenizers.readUtf8(mergesFile, "merges.txt");
        String[] lines = text.split("\n", -1);
        List<String[]> merges = new ArrayList<>(lines.length);
        List<Integer> lineOf = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if ((i == 0 && line.startsWith("#version")) || (i == lines.length - 1 && line.isEmpty())) {
                continue;
            }
            String[] parts = line.split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw mergesErrors.error("line " + (i + 1), "a merge must be two tokens separated by one space,"
                        + " got \"" + line + "\"");
            }
            merges.add(parts);
            lineOf.add(i + 1);
        }
        Map<String, Integer> added = vocab.containsKey(END_OF_TEXT)
                ? Map.of(END_OF_TEXT, vocab.get(END_OF_TEXT)) : Map.of();
        return ByteLevelBpeJson.assemble(vocab, vocabIn, "vocab.json", merges, r -> "line " + lineOf.get(r),
                mergesErrors, added, Set.of(), Set.of(), HfComponents.gpt2());
    }
}
