package org.transformer4j.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's real tokenizer files, derived once per test JVM from JTokkit's {@code r50k_base.tiktoken} (GPT-2's
 * 50,256 byte tokens by rank, plus {@code <|endoftext|>} = 50256) without any code of the tokenizer package:
 * vocab.json, merges.txt and a Hugging Face tokenizer.json, written into a temporary directory.
 *
 * <p>Merges from ranks (the standard tiktoken to Hugging Face conversion): in rank order, each token longer than
 * one byte is encoded by tiktoken's BPE restricted to the tokens of lower rank (repeatedly join the adjacent pair
 * whose join has the lowest rank below the token's); that leaves exactly two parts, and joining them is the
 * token's merge, with the token's rank as its merge rank.
 */
final class Gpt2Fixture {
    static final int END_OF_TEXT_ID = 50256;
    static final String END_OF_TEXT = "<|endoftext|>";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** GPT-2's bytes_to_unicode, written out again here (independently of ByteLevelAlphabet). */
    static final char[] BYTE_TO_CHAR = new char[256];

    static {
        List<Integer> printable = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            printable.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable.add(b);
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            BYTE_TO_CHAR[b] = printable.contains(b) ? (char) b : (char) (256 + n++);
        }
    }

    private static Gpt2Fixture instance;

    final Path dir; // vocab.json, merges.txt, tokenizer.json
    final Encoding jtokkit = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    final List<byte[]> tokens; // by rank

    private Gpt2Fixture() throws IOException {
        tokens = readRanks();
        List<String[]> merges = merges(tokens);
        dir = Files.createTempDirectory("gpt2-tokenizer");
        dir.toFile().deleteOnExit();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(text(tokens.get(id)), id);
        }
        vocab.put(END_OF_TEXT, END_OF_TEXT_ID);
        Files.writeString(dir.resolve("vocab.json"), MAPPER.writeValueAsString(vocab));
        StringBuilder sb = new StringBuilder("#version: 0.2\n");
        merges.forEach(m -> sb.append(m[0]).append(' ').append(m[1]).append('\n'));
        Files.writeString(dir.resolve("merges.txt"), sb);
        Files.writeString(dir.resolve("tokenizer.json"), huggingFaceJson(vocab, merges, false, true));
        for (String f : List.of("vocab.json", "merges.txt", "tokenizer.json")) {
            dir.resolve(f).toFile().deleteOnExit();
        }
    }

    /** The files, derived on first use. */
    static synchronized Gpt2Fixture get() {
        if (instance == null) {
            try {
                instance = new Gpt2Fixture();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** The byte stand-in text of {@code bytes}. */
    static String text(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            sb.append(BYTE_TO_CHAR[b & 0xFF]);
        }
        return sb.toString();
    }

    private static List<byte[]> readRanks() throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (InputStream in = Encoding.class.getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
            if (in == null) {
                throw new IllegalStateException("r50k_base.tiktoken is not on the test class path (com.knuddels:jtokkit)");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] parts = line.split(" ");
                int rank = Integer.parseInt(parts[1]);
                if (rank != out.size()) {
                    throw new IllegalStateException("r50k_base.tiktoken: rank " + rank + " out of order");
                }
                out.add(Base64.getDecoder().decode(parts[0]));
            }
        }
        if (out.size() != END_OF_TEXT_ID) {
            throw new IllegalStateException("r50k_base.tiktoken has " + out.size() + " tokens, expected 50256");
        }
        return out;
    }

    /** The merges, in rank order (see the class comment). */
    private static List<String[]> merges(List<byte[]> tokens) {
        Map<String, Integer> rankOf = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            rankOf.put(new String(tokens.get(i), StandardCharsets.ISO_8859_1), i);
        }
        List<String[]> out = new ArrayList<>();
        for (int rank = 0; rank < tokens.size(); rank++) {
            byte[] t = tokens.get(rank);
            if (t.length < 2) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (byte b : t) {
                parts.add(new String(new byte[] {b}, StandardCharsets.ISO_8859_1));
            }
            while (true) {
                int best = -1;
                int bestRank = rank;
                for (int i = 0; i + 1 < parts.size(); i++) {
                    Integer r = rankOf.get(parts.get(i) + parts.get(i + 1));
                    if (r != null && r < bestRank) {
                        best = i;
                        bestRank = r;
                    }
                }
                if (best < 0) {
                    break;
                }
                parts.set(best, parts.get(best) + parts.remove(best + 1));
            }
            if (parts.size() != 2) {
                throw new IllegalStateException("token " + rank + " does not split into two lower tokens: " + parts);
            }
            out.add(new String[] {text(parts.get(0).getBytes(StandardCharsets.ISO_8859_1)),
                text(parts.get(1).getBytes(StandardCharsets.ISO_8859_1))});
        }
        return out;
    }

    /** The tokenizer.json of GPT-2 as Hugging Face publishes it, with the given ByteLevel options. */
    static String huggingFaceJson(Map<String, Integer> vocab, List<String[]> merges, boolean addPrefixSpace,
            boolean useRegex) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens").addObject().put("id", vocab.get(END_OF_TEXT)).put("content", END_OF_TEXT)
                .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", true)
                .put("special", true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", true).put("use_regex", useRegex);
        root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true)
                .put("trim_offsets", false).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true)
                .put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").put("continuing_subword_prefix", "")
                .put("end_of_word_suffix", "").put("fuse_unk", false).put("byte_fallback", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        ArrayNode m = model.putArray("merges");
        merges.forEach(p -> m.add(p[0] + " " + p[1]));
        return MAPPER.writeValueAsString(root);
    }

    /** The vocabulary as in vocab.json. */
    Map<String, Integer> vocab() throws IOException {
        Map<String, Integer> out = new LinkedHashMap<>();
        MAPPER.readTree(dir.resolve("vocab.json").toFile()).fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().intValue()));
        return out;
    }

    /** The merges as in merges.txt. */
    List<String[]> mergeList() throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("merges.txt"))) {
            if (!line.startsWith("#")) {
                out.add(line.split(" "));
            }
        }
        return out;
    }

    /**
     * JTokkit's ids of {@code text} as Hugging Face defines them: {@code <|endoftext|>} becomes its id, the text
     * between is encoded as ordinary text, unpaired surrogates as U+FFFD.
     */
    int[] expected(String text) {
        String s = wellFormed(text);
        List<Integer> out = new ArrayList<>();
        int pos = 0;
        while (true) {
            int at = s.indexOf(END_OF_TEXT, pos);
            String part = s.substring(pos, at < 0 ? s.length() : at);
            if (!part.isEmpty()) {
                for (int id : jtokkit.encodeOrdinary(part).toArray()) {
                    out.add(id);
                }
            }
            if (at < 0) {
                break;
            }
            out.add(END_OF_TEXT_ID);
            pos = at + END_OF_TEXT.length();
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code s} with each unpaired surrogate replaced by U+FFFD (written here with the JDK's own check). */
    static String wellFormed(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isSurrogate((char) cp) && cp < 0x10000
                ? 0xFFFD : cp));
        return sb.toString();
    }

    /** The whole bundled Shakespeare (examples' tinyshakespeare.txt, about 1.1 MB). */
    static String fullShakespeare() {
        Path p = Path.of("..", "examples", "src", "main", "resources", "org", "transformer4j", "examples",
                "tinyshakespeare.txt");
        if (!Files.exists(p)) {
            throw new IllegalStateException("the bundled Shakespeare " + p.toAbsolutePath() + " is missing: the"
                    + " tokenizer tests read it from the examples module (run them from the transformer-api folder)");
        }
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
