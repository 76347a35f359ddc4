package org.transformer4j.tokenizer;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE, as GPT-2: text becomes bytes, and learned merges join adjacent tokens into longer ones.
 * Every string can be encoded (there is no unknown token). This class encodes and decodes; reading and writing
 * files is {@link Tokenizers}' job and learning merges {@link #train}'s.
 *
 * <p>A tokenizer is one of two kinds, fixed by where it came from:
 * <ul>
 *   <li><b>transformer4j's own</b> (from {@link #train}, or tokenizer.json of type {@code "byte_bpe"}): text is
 *       converted with WTF-8, UTF-8 generalised to unpaired surrogates, so {@code decode(encode(s)).equals(s)}
 *       for every Java string, and cut into chunks by this project's simple split (see the package
 *       documentation).</li>
 *   <li><b>Hugging Face's</b> (a tokenizer.json of GPT-2, Llama 3, Qwen2, SmolLM2, ..., or vocab.json +
 *       merges.txt): exactly what Hugging Face's tokenizers library computes, its pipeline being a
 *       {@link Pipeline} read from the file (GPT-2's is one configuration of it). Added tokens are found first;
 *       the text between them is normalized (NFC, ...), cut into chunks by the pre-tokenizers (Split regular
 *       expressions, Digits, ByteLevel with GPT-2's regular expression, {@link Gpt2Splitter}) and converted with
 *       UTF-8. Unpaired surrogates, which UTF-8 and so those libraries cannot carry, are encoded as U+FFFD;
 *       {@code decode(encode(s)).equals(s)} for every well-formed string that the normalizer leaves as it is.
 *       {@link #addSpecialTokens} adds what the post-processor adds (Llama 3's BOS).</li>
 * </ul>
 *
 * <p><b>Encoding</b> a chunk starts from its bytes; the adjacent pair with the lowest merge rank is merged
 * (leftmost first among equal ranks) until no pair has a merge: O(n log n) per chunk, and each distinct chunk
 * is encoded once and then taken from a cache. With {@link #encode(String)} literal special token texts in the
 * input become their ids; {@link #encode(String, boolean) encode(text, false)} encodes them as plain text.
 *
 * <p><b>Decoding</b> never fails for bad bytes: the bytes of consecutive ordinary tokens are decoded together,
 * each maximal ill-formed part becoming U+FFFD; ids outside the vocabulary throw
 * {@link IllegalArgumentException}.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
    private static final int CACHE_LIMIT = 100_000;

    /** Which conventions a tokenizer follows (see the class comment), and so which tokenizer.json it writes. */
    enum Layout {
        /** WTF-8, this project's split, tokenizer.json of type {@code "byte_bpe"}. */
        TRANSFORMER4J,
        /** UTF-8 with U+FFFD for unpaired surrogates, Hugging Face's tokenizer.json. */
        HUGGING_FACE
    }

    /**
     * How text becomes chunks and ids, Hugging Face's pipeline: added tokens are found first (those not
     * {@code normalized} in the raw text, the others in the normalized text); each piece between them is
     * normalized, pre-tokenized into chunks, and each chunk's bytes merged (or, with {@code ignoreMerges}, taken
     * whole when the vocabulary has it). {@link #addSpecialTokens} puts {@code prefix} and {@code suffix} around
     * a sequence (the post-processor).
     *
     * @param normalizer the normalizer, or null
     * @param preTokenizer the split into chunks
     * @param ignoreMerges whether a chunk that is a vocabulary token as a whole becomes that token without
     *     merging (Hugging Face's BPE {@code ignore_merges})
     * @param hfComponents Hugging Face's layout only: the JSON of the components and model options, written back
     *     as they were read; null for this project's own tokenizers
     */
    record Pipeline(Layout layout, Normalizer normalizer, PreTokenizer preTokenizer, boolean ignoreMerges,
            int[] prefix, int[] suffix, com.fasterxml.jackson.databind.node.ObjectNode hfComponents) {
        /** transformer4j's own tokenizers. */
        static final Pipeline TRANSFORMER4J = new Pipeline(Layout.TRANSFORMER4J, null, ChunkSplitter.INSTANCE, false,
                new int[0], new int[0], null);
    }

    private final byte[][] tokenBytes; // by id; null for added tokens outside the vocabulary
    private final String[] addedText; // by id; null for ordinary tokens
    private final byte[][] addedBytes; // by id, Hugging Face's layout: what its ByteLevel decoder makes of addedText
    private final int[] idOfByte = new int[256];
    private final int[][] merges; // in rank order: {left, right, result}
    private final PairRanks ranks;
    private final SpecialTokens added;
    private final Pipeline pipeline;
    private final Map<String, Integer> idOfWholeToken; // only with ignoreMerges: token bytes (Latin-1) -> id
    private final Map<String, int[]> chunkCache = new ConcurrentHashMap<>();

    /**
     * A tokenizer from checked parts: {@code tokenBytes} by id (all 256 single bytes present, null only for added
     * tokens), {@code merges} in rank order as {@code {left, right, result}} ids, and the added tokens.
     */
    ByteLevelBpeTokenizer(byte[][] tokenBytes, int[][] merges, SpecialTokens added, Pipeline pipeline) {
        this.tokenBytes = tokenBytes;
        this.merges = merges;
        this.added = added;
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.addedText = new String[tokenBytes.length];
        this.addedBytes = new byte[tokenBytes.length][];
        added.all().forEach((text, id) -> {
            addedText[id] = text;
            // Hugging Face's ByteLevel decoder reads a token as byte stand-ins if it can, else as UTF-8
            byte[] standIns = ByteLevelAlphabet.toBytes(text);
            addedBytes[id] = standIns != null ? standIns : text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        });
        Arrays.fill(idOfByte, -1);
        for (int id = 0; id < tokenBytes.length; id++) {
            if (tokenBytes[id] != null && tokenBytes[id].length == 1 && addedText[id] == null) {
                idOfByte[tokenBytes[id][0] & 0xFF] = id;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (idOfByte[b] < 0) {
                throw new IllegalArgumentException(String.format("byte 0x%02X has no token", b));
            }
        }
        this.ranks = new PairRanks(merges);
        if (pipeline.ignoreMerges()) {
            idOfWholeToken = new HashMap<>();
            for (int id = 0; id < tokenBytes.length; id++) {
                if (tokenBytes[id] != null) {
                    idOfWholeToken.putIfAbsent(latin1(tokenBytes[id]), id);
                }
            }
        } else {
            idOfWholeToken = null;
        }
    }

    /**
     * Learns a tokenizer from {@code text} with this project's split: the 256 bytes, then merges until the
     * vocabulary has {@code vocabSize} ids, special tokens included (they take the last ids, in list order).
     * Literal occurrences of the special tokens in {@code text} are left out of the training. If the text has
     * too few distinct pairs the vocabulary ends smaller: check {@link #vocabSize()}. The algorithm is
     * described in {@link BpeTrainer}.
     *
     * @param text the training text
     * @param vocabSize the target vocabulary size, special tokens included
     * @param specialTokens the special tokens' texts
     * @return the trained tokenizer
     * @throws IllegalArgumentException if {@code vocabSize < 256 + specialTokens.size()}, or a special token is
     *     empty or repeated
     */
    public static ByteLevelBpeTokenizer train(String text, int vocabSize, List<String> specialTokens) {
        return BpeTrainer.trainTokenizer(text, vocabSize, specialTokens);
    }

    /**
     * Number of merges, in rank order.
     *
     * @return the merge count
     */
    public int mergeCount() {
        return merges.length;
    }

    /**
     * The bytes of token {@code id} (the UTF-8 or WTF-8 bytes of its text for an added token).
     *
     * @param id a token id
     * @return a copy of its bytes
     */
    public byte[] tokenBytes(int id) {
        checkId(id);
        return tokenBytes[id] != null ? tokenBytes[id].clone() : Wtf8.encode(addedText[id]);
    }

    /**
     * The merge of rank {@code rank} as {@code {left id, right id, result id}}.
     *
     * @param rank from 0 to {@link #mergeCount()} - 1
     * @return three ids
     */
    public int[] merge(int rank) {
        if (rank < 0 || rank >= merges.length) {
            throw new IndexOutOfBoundsException("merge rank " + rank + " is out of range 0.." + (merges.length - 1));
        }
        return merges[rank].clone();
    }

    // the parts, for writing them out
    Pipeline pipeline() {
        return pipeline;
    }

    SpecialTokens added() {
        return added;
    }

    /** The vocabulary bytes of {@code id}, or null for an added token outside the vocabulary (not a copy). */
    byte[] vocabBytes(int id) {
        return tokenBytes[id];
    }

    @Override
    public int[] encode(String text, boolean parseSpecialTokens) {
        Objects.requireNonNull(text, "text");
        String s = pipeline.layout() == Layout.HUGGING_FACE ? Wtf8.toWellFormed(text) : text;
        IntList out = new IntList(Math.max(16, s.length() / 3));
        SpecialTokens.Sink emit = new SpecialTokens.Sink() {
            @Override
            public void text(int from, int to) {
                String piece = s.substring(from, to);
                String normalized = pipeline.normalizer() == null ? piece : pipeline.normalizer().normalize(piece);
                added.split(normalized, parseSpecialTokens, true, new SpecialTokens.Sink() {
                    @Override
                    public void text(int a, int b) {
                        pipeline.preTokenizer().split(normalized.substring(a, b), chunk -> out.addAll(encodeChunk(chunk)));
                    }

                    @Override
                    public void special(int id) {
                        out.add(id);
                    }
                });
            }

            @Override
            public void special(int id) {
                out.add(id);
            }
        };
        added.split(s, parseSpecialTokens, false, emit);
        return out.toArray();
    }

    /**
     * {@code ids} with the ids that Hugging Face's post-processor puts around a single sequence (its
     * TemplateProcessing, such as Llama 3's {@code <|begin_of_text|>} in front); the same ids when it adds none.
     */
    @Override
    public int[] addSpecialTokens(int[] ids) {
        int[] p = pipeline.prefix();
        int[] q = pipeline.suffix();
        int[] out = new int[p.length + ids.length + q.length];
        System.arraycopy(p, 0, out, 0, p.length);
        System.arraycopy(ids, 0, out, p.length, ids.length);
        System.arraycopy(q, 0, out, p.length + ids.length, q.length);
        return out;
    }

    private int[] encodeChunk(String chunk) {
        int[] cached = chunkCache.get(chunk);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = Wtf8.encode(chunk);
        int[] ids = null;
        if (idOfWholeToken != null) {
            Integer whole = idOfWholeToken.get(latin1(bytes));
            ids = whole == null ? null : new int[] {whole};
        }
        if (ids == null) {
            ids = mergeBytes(bytes);
        }
        if (chunkCache.size() >= CACHE_LIMIT) {
            chunkCache.clear();
        }
        chunkCache.put(chunk, ids);
        return ids;
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Applies the merges to one chunk: lowest rank first, leftmost first among equals. O(n log n). */
    private int[] mergeBytes(byte[] bytes) {
        int n = bytes.length;
        int[] id = new int[n];
        for (int i = 0; i < n; i++) {
            id[i] = idOfByte[bytes[i] & 0xFF];
        }
        if (n == 2) { // the most common case after single bytes: no queue needed
            int r = ranks.rank(id[0], id[1]);
            return r < 0 ? id : new int[] {merges[r][2]};
        }
        if (n < 2) {
            return id;
        }
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] alive = new boolean[n];
        for (int i = 0; i < n; i++) {
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
            if (!alive[i] || j < 0 || ranks.rank(id[i], id[j]) != rank) {
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
        for (int i = 0; i >= 0; i = next[i]) {
            out[k++] = id[i];
        }
        return out;
    }

    private void offer(PriorityQueue<Long> queue, int left, int right, int pos) {
        int rank = ranks.rank(left, right);
        if (rank >= 0) {
            queue.add(((long) rank << 32) | pos);
        }
    }

    /**
     * The text of {@code ids}. The bytes of consecutive ordinary tokens are decoded together (WTF-8 for this
     * project's tokenizers, strict UTF-8 for Hugging Face's), ill-formed parts becoming U+FFFD (never an
     * exception); an added token adds its text (in Hugging Face's layout, as its ByteLevel decoder does: the
     * bytes its chars stand for when they all are byte stand-ins, else its UTF-8, decoded with its neighbours).
     *
     * @throws IllegalArgumentException for an id outside {@code 0..vocabSize()-1}, naming it and the size
     */
    @Override
    public String decode(int[] ids) {
        boolean utf8 = pipeline.layout() == Layout.HUGGING_FACE;
        StringBuilder sb = new StringBuilder(ids.length * 4);
        ByteArrayOutputStream run = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            checkId(id);
            if (addedText[id] == null) {
                run.writeBytes(tokenBytes[id]);
            } else if (utf8) {
                run.writeBytes(addedBytes[id]);
            } else {
                flush(run, sb, false);
                sb.append(addedText[id]);
            }
        }
        flush(run, sb, utf8);
        return sb.toString();
    }

    private static void flush(ByteArrayOutputStream run, StringBuilder sb, boolean utf8) {
        if (run.size() > 0) {
            byte[] b = run.toByteArray();
            sb.append(utf8 ? Wtf8.decodeUtf8(b, b.length) : Wtf8.decode(b, b.length));
            run.reset();
        }
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
        return added.asMap();
    }

    /**
     * The tokenizer.json text: this project's layout (type {@code "byte_bpe"}) for its own tokenizers, Hugging
     * Face's layout (readable by its tokenizers library and transformers) for Hugging Face's.
     */
    @Override
    public String toJson() {
        return ByteLevelBpeJson.write(this);
    }

    @Override
    public String toString() {
        return "ByteLevelBpeTokenizer[" + pipeline.layout() + ", " + tokenBytes.length + " ids, " + merges.length
                + " merges, specials " + added.asMap() + "]";
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
