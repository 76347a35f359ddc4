package org.transformer4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face tokenizer.json files beyond GPT-2, written here in the shapes that Llama 3, SmolLM2 and Qwen2
 * publish (their pre-tokenizer regular expressions copied from those files) over GPT-2's real vocabulary
 * (derived from JTokkit's r50k_base by {@link Gpt2Fixture}) plus a few whole-word tokens without merges, read
 * by Hugging Face's own tokenizers library (the Rust crate through DJL) as the oracle and by ours: identical ids
 * on the bundled Shakespeare (all of it for Llama 3 and Qwen2) and the hard strings, the same decoded text, and the same ids again from
 * the tokenizer.json that we write back.
 */
class HfVariantsOracleTest {
    /** Llama 3's pre-tokenizer regular expression, as in its tokenizer.json. */
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2's, which takes numbers one digit at a time. */
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Whole words put in the vocabulary without merges: only ignore_merges reaches them. */
    static final List<String> WHOLE_WORDS = List.of("GLOUCESTER", "ĠGLOUCESTER", "CORIOLANUS", "ĠMENENIUS",
            "ĠBUCKINGHAM", "Ġthou", "ĠÐ¼Ð¸ÑĢ");
    static final ObjectMapper MAPPER = new ObjectMapper();

    private static Map<String, Integer> vocab;
    private static List<String[]> merges;
    private static String shakespeare;

    @BeforeAll
    static void load() throws Exception {
        if (vocab != null) {
            return;
        }
        Gpt2Fixture gpt2 = Gpt2Fixture.get();
        vocab = new LinkedHashMap<>(gpt2.vocab());
        for (String w : WHOLE_WORDS) {
            vocab.putIfAbsent(w, vocab.size());
        }
        merges = gpt2.mergeList();
        shakespeare = Gpt2Fixture.fullShakespeare();
    }

    /** A tokenizer.json of the vocabulary with the given added tokens (content, special, normalized) after it. */
    static ObjectNode base(Object[][] addedTokens) {
        return base(addedTokens, vocab, merges);
    }

    /**
     * The same over GPT-2's first {@code size} tokens (r50k's token 256 + r is made by merge r), for the
     * variants that need no large vocabulary to tell behaviours apart: quicker to load.
     */
    static ObjectNode small(Object[][] addedTokens, int size) {
        Map<String, Integer> v = new LinkedHashMap<>();
        vocab.forEach((token, id) -> {
            if (id < size) {
                v.put(token, id);
            }
        });
        return base(addedTokens, v, merges.subList(0, Math.min(merges.size(), size - 256)));
    }

    private static ObjectNode base(Object[][] addedTokens, Map<String, Integer> vocab, List<String[]> merges) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        int id = vocab.size();
        for (Object[] t : addedTokens) {
            added.addObject().put("id", id++).put("content", (String) t[0]).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", (Boolean) t[2])
                    .put("special", (Boolean) t[1]);
        }
        root.putNull("normalizer");
        root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true)
                .put("trim_offsets", false).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true)
                .put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
                .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false)
                .put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        ArrayNode m = model.putArray("merges");
        merges.forEach(p -> m.add(p[0] + " " + p[1]));
        return root;
    }

    static ObjectNode split(ArrayNode steps, String regex, String behavior) {
        ObjectNode s = steps.addObject().put("type", "Split");
        s.putObject("pattern").put("Regex", regex);
        return s.put("behavior", behavior).put("invert", false);
    }

    static void byteLevel(ArrayNode steps, boolean addPrefixSpace, boolean useRegex) {
        steps.addObject().put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace).put("trim_offsets", true)
                .put("use_regex", useRegex);
    }

    /** Llama 3: Split + ByteLevel without regex, ignore_merges, BOS by TemplateProcessing. */
    static ObjectNode llama3() {
        ObjectNode root = base(new Object[][] {{"<|begin_of_text|>", true, false}, {"<|end_of_text|>", true, false},
            {"<|eot_id|>", true, false}, {"<|start_header_id|>", true, false}});
        ArrayNode steps = root.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers");
        split(steps, LLAMA3_REGEX, "Isolated");
        byteLevel(steps, false, false);
        ((ObjectNode) root.get("model")).put("ignore_merges", true);
        int bos = vocab.size();
        ObjectNode post = root.putObject("post_processor").put("type", "Sequence");
        ArrayNode procs = post.putArray("processors");
        procs.addObject().put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", false)
                .put("use_regex", true);
        ObjectNode tp = procs.addObject().put("type", "TemplateProcessing");
        tp.putArray("single").add(special("<|begin_of_text|>")).add(sequence("A"));
        tp.putArray("pair").add(special("<|begin_of_text|>")).add(sequence("A")).add(special("<|begin_of_text|>"))
                .add(sequence("B"));
        ObjectNode st = tp.putObject("special_tokens").putObject("<|begin_of_text|>").put("id", "<|begin_of_text|>");
        st.putArray("ids").add(bos);
        st.putArray("tokens").add("<|begin_of_text|>");
        return root;
    }

    private static ObjectNode special(String id) {
        ObjectNode n = MAPPER.createObjectNode();
        n.putObject("SpecialToken").put("id", id).put("type_id", 0);
        return n;
    }

    private static ObjectNode sequence(String id) {
        ObjectNode n = MAPPER.createObjectNode();
        n.putObject("Sequence").put("id", id).put("type_id", 0);
        return n;
    }

    /** SmolLM2: Digits one by one, then ByteLevel with GPT-2's regex. */
    static ObjectNode smollm2(boolean addPrefixSpace, int vocabSize) {
        ObjectNode root = small(new Object[][] {{"<|im_start|>", true, false}, {"<|im_end|>", true, false}},
                vocabSize);
        ArrayNode steps = root.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers");
        steps.addObject().put("type", "Digits").put("individual_digits", true);
        byteLevel(steps, addPrefixSpace, true);
        return root;
    }

    /** Qwen2: NFC, Split + ByteLevel without regex; a non-special added token matched in normalized text. */
    static ObjectNode qwen2() {
        ObjectNode root = base(new Object[][] {{"<|im_start|>", true, false}, {"<|im_end|>", true, false},
            {"<think>", false, true}, {"caf\u00E9!", false, true}});
        root.putObject("normalizer").put("type", "NFC");
        ArrayNode steps = root.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers");
        split(steps, QWEN2_REGEX, "Isolated");
        byteLevel(steps, false, false);
        return root;
    }

    /** Hard strings plus the added tokens of these files, in and around text, and NFD text. */
    static List<String> corpus() {
        List<String> s = new ArrayList<>(HardStrings.wellFormed());
        s.addAll(List.of("<|begin_of_text|>Hello<|eot_id|>\n<|start_header_id|>user",
                "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\n2+2=?<|im_end|>",
                "<think>a</think> <think><think>x", "cafe\u0301! caf\u00E9! CAFE\u0301!",
                "GLOUCESTER:\nNow is the winter of our discontent, quoth thou GLOUCESTER",
                " CORIOLANUS MENENIUS BUCKINGHAM thou thou", "\u041C\u0438\u0440 \u043C\u0438\u0440",
                "1234567890 12 345 6789 \u0661\u0662\u0663\u0664", "x\n\n\ny\r\n\r\nz \n \n", "'S 'LL 'Re \u017F's 'ſ",
                "A\u030A\u0323 \u212B \uFB01 \u1100\u1161\u11A8 \u0041\u0308\u0301"));
        return s;
    }

    static int[] ids(HuggingFaceTokenizer t, String s, boolean addSpecialTokens) {
        return Arrays.stream(t.encode(s, addSpecialTokens, false).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    /** Ours and Hugging Face's on one file: ids (with and without the post-processor), decode, written back. */
    private static void agree(ObjectNode json, Path dir, int shakespeareChars, boolean writeBack)
            throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, MAPPER.writeValueAsString(json));
        Tokenizer ours = Tokenizers.load(file);
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file, HuggingFaceOracleTest.PLAIN)) {
            if (shakespeareChars > 0) {
                String text = shakespeare.substring(0, Math.min(shakespeareChars, shakespeare.length()));
                int[] expected = ids(hf, text, false);
                assertThat(expected.length).isGreaterThan(text.length() / 5);
                assertThat(ours.encode(text)).isEqualTo(expected);
            }
            for (String s : corpus()) {
                String shown = ByteLevelBpeTokenizerTest.escape(s);
                int[] got = ours.encode(s);
                assertThat(got).as(shown).isEqualTo(ids(hf, s, false));
                assertThat(ours.addSpecialTokens(got)).as(shown).isEqualTo(ids(hf, s, true));
                long[] asLong = Arrays.stream(got).asLongStream().toArray();
                assertThat(ours.decode(got)).as(shown).isEqualTo(hf.decode(asLong, false));
            }
            for (String s : HardStrings.withLoneSurrogates()) {
                assertThat(ours.encode(s)).as(ByteLevelBpeTokenizerTest.escape(s))
                        .isEqualTo(ids(hf, Gpt2Fixture.wellFormed(s), false));
            }
        }
        if (!writeBack) {
            return;
        }
        Path back = dir.resolve("written.json");
        Tokenizers.save(ours, back);
        Tokenizer reread = Tokenizers.load(back);
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(back, HuggingFaceOracleTest.PLAIN)) {
            for (String s : corpus()) {
                assertThat(ids(hf, s, true)).as(ByteLevelBpeTokenizerTest.escape(s))
                        .isEqualTo(ours.addSpecialTokens(ours.encode(s)))
                        .isEqualTo(reread.addSpecialTokens(reread.encode(s)));
            }
        }
    }

    @Test
    void llama3StyleSplitByteLevelIgnoreMergesAndBos(@TempDir Path dir) throws Exception {
        agree(llama3(), dir, Integer.MAX_VALUE, true);
        Tokenizer t = Tokenizers.fromJson(MAPPER.writeValueAsString(llama3()));
        int bos = vocab.size();
        assertThat(t.addSpecialTokens(t.encode("Hi"))[0]).isEqualTo(bos);
        // ignore_merges: the whole-word token, which no merge makes
        assertThat(t.encode(" GLOUCESTER")).containsExactly(vocab.get("ĠGLOUCESTER"));
    }

    @Test
    void smolLm2StyleDigitsThenByteLevel(@TempDir Path dir) throws Exception {
        agree(smollm2(false, vocab.size()), dir, 300_000, false); // its split is GPT-2's, checked on all of it
    }

    @Test
    void aPrefixSpaceGoesBeforeEachSplitOfTheSequence(@TempDir Path dir) throws Exception {
        agree(smollm2(true, 2000), dir, 0, true);
    }

    @Test
    void qwen2StyleNfcSplitByteLevel(@TempDir Path dir) throws Exception {
        agree(qwen2(), dir, Integer.MAX_VALUE, true);
        Tokenizer t = Tokenizers.fromJson(MAPPER.writeValueAsString(qwen2()));
        // the non-special added token is found in the NFC form of decomposed input
        assertThat(t.encode("cafe\u0301!")).containsExactly(vocab.size() + 3);
    }

    /** Every Split behaviour, inverted or not, a String pattern, Digits in runs, NFKC and a normalizer Sequence. */
    @Test
    void splitBehavioursDigitsRunsAndNormalizers(@TempDir Path dir) throws Exception {
        for (String behavior : List.of("Removed", "Isolated", "MergedWithPrevious", "MergedWithNext",
                "Contiguous")) {
            for (boolean invert : List.of(false, true)) {
                for (boolean literal : List.of(false, true)) {
                    agree(variant(steps -> {
                        ObjectNode s = steps.addObject().put("type", "Split");
                        if (literal) {
                            s.putObject("pattern").put("String", " ");
                        } else {
                            s.putObject("pattern").put("Regex", "\\p{N}+|[aeiou]|\\s");
                        }
                        s.put("behavior", behavior).put("invert", invert);
                        byteLevel(steps, false, false);
                    }, null), dir, 0, false);
                }
            }
        }
        agree(variant(steps -> {
            steps.addObject().put("type", "Digits").put("individual_digits", false);
            split(steps, LLAMA3_REGEX, "Isolated");
            byteLevel(steps, true, false);
        }, n -> {
            n.put("type", "Sequence");
            ArrayNode list = n.putArray("normalizers");
            list.addObject().put("type", "NFD");
            list.addObject().put("type", "NFKC");
        }), dir, 0, true);
    }

    private static ObjectNode variant(Consumer<ArrayNode> steps, Consumer<ObjectNode> normalizer) {
        ObjectNode root = small(new Object[][] {{"<|im_start|>", true, false}, {"<x>", false, true}}, 2000);
        steps.accept(root.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers"));
        if (normalizer != null) {
            normalizer.accept(root.putObject("normalizer"));
        }
        return root;
    }
}
