package org.transformer4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE, as GPT-2: text becomes bytes, and learned merges join adjacent tokens into longer ones.
 * Every string can be encoded (there is no unknown token) and decodes back to itself.
 *
 * <ul>
 *   <li><b>Bytes.</b> Text is converted with WTF-8, UTF-8 generalised to unpaired surrogates, so
 *       {@code decode(encode(s)).equals(s)} for every Java string. {@link #decode} never throws for bad bytes:
 *       ids whose bytes are not valid WTF-8 (a token sequence cut inside a character, say) give U+FFFD for each
 *       maximal ill-formed part; ids outside the vocabulary throw {@link IllegalArgumentException}.</li>
 *   <li><b>Vocabulary.</b> Ids 0..255 are the single bytes (id = byte value) after {@link #train}; then one id
 *       per distinct token that merges built, in the order they were learned; then the special tokens.</li>
 *   <li><b>Chunks.</b> Before merging, text is cut into chunks that merges never cross (see the package
 *       documentation: letters, numbers, whitespace, other, with a leading space joined to the next run).</li>
 *   <li><b>Encoding.</b> Within a chunk, starting from its bytes, the adjacent pair with the lowest merge rank
 *       is merged (leftmost first among equal ranks) until no pair has a merge. With
 *       {@link #encode(String)}, literal special token texts in the input become their ids; pass
 *       {@code parseSpecialTokens = false} to {@link #encode(String, boolean)} to encode them as plain text.</li>
 * </ul>
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
    private static final int CACHE_LIMIT = 100_000;

    private final byte[][] tokenBytes; // by id; null for special tokens
    private final String[] specialText; // by id; null for ordinary tokens
    private final int[] idOfByte = new int[256];
    private final int[][] merges; // in rank order: {left, right, result}
    private final Map<Long, Integer> rankOfPair = new HashMap<>();
    private final SpecialTokens specials;
    private final Map<String, int[]> chunkCache = new ConcurrentHashMap<>();

    private ByteLevelBpeTokenizer(byte[][] tokenBytes, int[][] merges, SpecialTokens specials) {
        this.tokenBytes = tokenBytes;
        this.merges = merges;
        this.specials = specials;
        this.specialText = new String[tokenBytes.length];
        specials.asMap().forEach((text, id) -> specialText[id] = text);
        Arrays.fill(idOfByte, -1);
        for (int id = 0; id < tokenBytes.length; id++) {
            if (tokenBytes[id] != null && tokenBytes[id].length == 1) {
                idOfByte[tokenBytes[id][0] & 0xFF] = id;
            }
        }
        for (int r = 0; r < merges.length; r++) {
            rankOfPair.putIfAbsent(BpeTrainer.key(merges[r][0], merges[r][1]), r);
        }
    }

    /**
     * Learns a tokenizer from {@code text}: the 256 bytes, then merges until the vocabulary has
     * {@code vocabSize} ids, special tokens included (they take the last ids, in list order). Literal occurrences
     * of the special tokens in {@code text} are left out of the training. If the text has too few distinct pairs
     * the vocabulary ends smaller: check {@link #vocabSize()}.
     *
     * @throws IllegalArgumentException if {@code vocabSize < 256 + specialTokens.size()}, or a special token is
     *     empty or repeated
     */
    public static ByteLevelBpeTokenizer train(String text, int vocabSize, List<String> specialTokens) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(specialTokens, "specialTokens");
        if (vocabSize < 256 + specialTokens.size()) {
            throw new IllegalArgumentException("ByteLevelBpeTokenizer.train: vocabSize " + vocabSize + " is too small;"
                    + " it needs at least 256 (the bytes) + " + specialTokens.size() + " (the special tokens)");
        }
        SpecialTokens trainingSpecials = SpecialTokens.numbered(specialTokens, 0);
        Map<String, Long> chunkCounts = new HashMap<>();
        trainingSpecials.split(text, true, new SpecialTokens.Sink() {
            @Override
            public void text(int from, int to) {
                ChunkSplitter.split(text, from, to, (a, b) -> chunkCounts.merge(text.substring(a, b), 1L, Long::sum));
            }

            @Override
            public void special(int id) {
            }
        });
        BpeTrainer.Result learned = BpeTrainer.train(chunkCounts, vocabSize - 256 - specialTokens.size());
        int ordinary = learned.tokenBytes().size();
        byte[][] bytes = new byte[ordinary + specialTokens.size()][];
        for (int id = 0; id < ordinary; id++) {
            bytes[id] = learned.tokenBytes().get(id);
        }
        int[][] merges = learned.merges().stream().map(m -> new int[] {m.left(), m.right(), m.result()})
                .toArray(int[][]::new);
        return new ByteLevelBpeTokenizer(bytes, merges, SpecialTokens.numbered(specialTokens, ordinary));
    }

    /** Number of merges, in rank order. */
    public int mergeCount() {
        return merges.length;
    }

    /** The bytes of token {@code id} (its WTF-8 text for a special token). */
    public byte[] tokenBytes(int id) {
        checkId(id);
        return tokenBytes[id] != null ? tokenBytes[id].clone() : Wtf8.encode(specialText[id]);
    }

    /** The merge of rank {@code rank} as {@code {left id, right id, result id}}. */
    public int[] merge(int rank) {
        if (rank < 0 || rank >= merges.length) {
            throw new IndexOutOfBoundsException("merge rank " + rank + " is out of range 0.." + (merges.length - 1));
        }
        return merges[rank].clone();
    }

    @Override
    public int[] encode(String text, boolean parseSpecialTokens) {
        Objects.requireNonNull(text, "text");
        IntList out = new IntList(Math.max(16, text.length() / 3));
        specials.split(text, parseSpecialTokens, new SpecialTokens.Sink() {
            @Override
            public void text(int from, int to) {
                ChunkSplitter.split(text, from, to, (a, b) -> out.addAll(encodeChunk(text.substring(a, b))));
            }

            @Override
            public void special(int id) {
                out.add(id);
            }
        });
        return out.toArray();
    }

    private int[] encodeChunk(String chunk) {
        int[] cached = chunkCache.get(chunk);
        if (cached != null) {
            return cached;
        }
        int[] ids = mergeBytes(Wtf8.encode(chunk));
        if (chunkCache.size() >= CACHE_LIMIT) {
            chunkCache.clear();
        }
        chunkCache.put(chunk, ids);
        return ids;
    }

    /** Applies the merges to one chunk: lowest rank first, leftmost first among equals. O(n log n). */
    private int[] mergeBytes(byte[] bytes) {
        int n = bytes.length;
        int[] id = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] alive = new boolean[n];
        for (int i = 0; i < n; i++) {
            id[i] = idOfByte[bytes[i] & 0xFF];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            alive[i] = true;
        }
        // entries: rank in the high half, position in the low half, so ties go to the leftmost
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, id[i], id[i + 1], i);
        }
        int count = n;
        while (!queue.isEmpty()) {
            long e = queue.poll();
            int rank = (int) (e >>> 32);
            int i = (int) e;
            int j = next[i];
            if (!alive[i] || j < 0) {
                continue;
            }
            Integer now = rankOfPair.get(BpeTrainer.key(id[i], id[j]));
            if (now == null || now != rank) {
                continue; // stale: this pair changed since the entry was queued
            }
            id[i] = merges[rank][2];
            alive[j] = false;
            next[i] = next[j];
            if (next[j] >= 0) {
                prev[next[j]] = i;
            }
            count--;
            if (prev[i] >= 0) {
                offer(queue, id[prev[i]], id[i], prev[i]);
            }
            if (next[i] >= 0) {
                offer(queue, id[i], id[next[i]], i);
            }
        }
        int[] out = new int[count];
        int k = 0;
        for (int i = n == 0 ? -1 : 0; i >= 0; i = next[i]) {
            out[k++] = id[i];
        }
        return out;
    }

    private void offer(PriorityQueue<Long> queue, int left, int right, int pos) {
        Integer rank = rankOfPair.get(BpeTrainer.key(left, right));
        if (rank != null) {
            queue.add(((long) rank << 32) | pos);
        }
    }

    /**
     * The text of {@code ids}. The bytes of consecutive ordinary tokens are decoded together as WTF-8, ill-formed
     * parts becoming U+FFFD (never an exception); a special token adds its text.
     *
     * @throws IllegalArgumentException for an id outside {@code 0..vocabSize()-1}, naming it and the size
     */
    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length * 4);
        ByteArrayOutputStream run = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            checkId(id);
            if (tokenBytes[id] != null) {
                run.writeBytes(tokenBytes[id]);
            } else {
                sb.append(Wtf8.decode(run.toByteArray(), run.size()));
                run.reset();
                sb.append(specialText[id]);
            }
        }
        sb.append(Wtf8.decode(run.toByteArray(), run.size()));
        return sb.toString();
    }

    private void checkId(int id) {
        if (id < 0 || id >= tokenBytes.length) {
            throw new IllegalArgumentException("ByteLevelBpeTokenizer: id " + id + " is out of range; the vocabulary"
                    + " size is " + tokenBytes.length + " (ids 0.." + (tokenBytes.length - 1) + ")");
        }
    }

    @Override
    public int vocabSize() {
        return tokenBytes.length;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return specials.asMap();
    }

    @Override
    public String toJson() {
        ObjectNode root = TokenizerJson.header(TokenizerJson.TYPE_BYTE_BPE, specials.asMap());
        root.putObject("pre_tokenizer").put("type", ChunkSplitter.NAME);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokenBytes.length; id++) {
            if (tokenBytes[id] != null) {
                vocab.put(ByteLevelAlphabet.toText(tokenBytes[id]), id);
            }
        }
        ArrayNode m = model.putArray("merges");
        for (int[] merge : merges) {
            m.add(ByteLevelAlphabet.toText(tokenBytes[merge[0]]) + " " + ByteLevelAlphabet.toText(tokenBytes[merge[1]]));
        }
        return TokenizerJson.write(root);
    }

    /** Reads the {@code "byte_bpe"} layout; the header (version, type) was checked by the caller. */
    static ByteLevelBpeTokenizer fromJson(ObjectNode root, TokenizerJson in) {
        Map<String, Integer> added = in.readAddedTokens(root);
        ObjectNode pre = in.requireObject(root, "pre_tokenizer", "pre_tokenizer");
        String preType = in.requireString(pre, "type", "pre_tokenizer.type");
        if (!preType.equals(ChunkSplitter.NAME)) {
            throw in.error("pre_tokenizer.type", "unknown pre-tokenizer \"" + preType + "\"; only \""
                    + ChunkSplitter.NAME + "\" is supported");
        }
        ObjectNode model = in.requireObject(root, "model", "model");
        String modelType = in.requireString(model, "type", "model.type");
        if (!modelType.equals("BPE")) {
            throw in.error("model.type", "must be \"BPE\" for a tokenizer of type \"byte_bpe\", got \"" + modelType + "\"");
        }
        ObjectNode vocab = in.requireObject(model, "vocab", "model.vocab");
        Map<String, Integer> vocabIds = new LinkedHashMap<>();
        for (var it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = "model.vocab[\"" + e.getKey() + "\"]";
            if (e.getKey().isEmpty() || ByteLevelAlphabet.toBytes(e.getKey()) == null) {
                throw in.error(path, "\"" + e.getKey() + "\" is not a byte-level token: every char must be one of the"
                        + " 256 GPT-2 byte stand-ins (e.g. 'Ġ' for a space)");
            }
            vocabIds.put(e.getKey(), in.requireId(e.getValue(), path));
        }
        int n = in.checkIds(vocabIds, "model.vocab", added);
        byte[][] bytes = new byte[n][];
        vocabIds.forEach((text, id) -> bytes[id] = ByteLevelAlphabet.toBytes(text));
        for (int b = 0; b < 256; b++) {
            String single = ByteLevelAlphabet.toText(new byte[] {(byte) b});
            if (!vocabIds.containsKey(single)) {
                throw in.error("model.vocab", String.format("lacks the token of byte 0x%02X (\"%s\"); a byte-level"
                        + " vocabulary must hold all 256 single bytes", b, single));
            }
        }
        ArrayNode mergeArray = in.requireArray(model, "merges", "model.merges");
        int[][] merges = new int[mergeArray.size()][];
        Set<Long> seen = new HashSet<>();
        for (int r = 0; r < merges.length; r++) {
            String path = "model.merges[" + r + "]";
            JsonNode m = mergeArray.get(r);
            String left;
            String right;
            if (m.isTextual() && m.textValue().split(" ", -1).length == 2) {
                String[] parts = m.textValue().split(" ", -1);
                left = parts[0];
                right = parts[1];
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                left = m.get(0).textValue();
                right = m.get(1).textValue();
            } else {
                throw in.error(path, "a merge must be \"LEFT RIGHT\" (two tokens, one space) or [\"LEFT\", \"RIGHT\"],"
                        + " got " + m);
            }
            Integer l = vocabIds.get(left);
            Integer rt = vocabIds.get(right);
            Integer res = vocabIds.get(left + right);
            for (String[] t : new String[][] {{left, "left token"}, {right, "right token"}, {left + right, "merged token"}}) {
                if (!vocabIds.containsKey(t[0])) {
                    throw in.error(path, "merge " + m + " refers to unknown " + t[1] + " \"" + t[0]
                            + "\", which is not in model.vocab");
                }
            }
            if (!seen.add(BpeTrainer.key(l, rt))) {
                throw in.error(path, "duplicate merge " + m + "; each pair may be merged only once");
            }
            merges[r] = new int[] {l, rt, res};
        }
        Map<String, Integer> specialsInIdOrder = new LinkedHashMap<>();
        added.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> specialsInIdOrder.put(e.getKey(), e.getValue()));
        return new ByteLevelBpeTokenizer(bytes, merges, SpecialTokens.of(specialsInIdOrder));
    }

    @Override
    public String toString() {
        return "ByteLevelBpeTokenizer[" + tokenBytes.length + " ids, " + merges.length + " merges, specials "
                + specials.asMap() + "]";
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) {
            a = new int[capacity];
        }

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[n++] = v;
        }

        void addAll(int[] vs) {
            if (n + vs.length > a.length) {
                a = Arrays.copyOf(a, Math.max(a.length * 2, n + vs.length));
            }
            System.arraycopy(vs, 0, a, n, vs.length);
            n += vs.length;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
