package org.transformer4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns byte-level BPE merges from a text: the implementation of {@link ByteLevelBpeTokenizer#train}.
 *
 * <p>The text is cut into chunks ({@link ChunkSplitter}); each distinct chunk is a word of WTF-8 bytes with
 * its count as weight. Pair frequencies are counted over the words, weighted, overlapping pairs included
 * ({@code "aaa"} holds {@code (a,a)} twice). Each step merges the most frequent pair, ties going to the
 * smallest first id and then the smallest second id, replaces its occurrences in every word left to right
 * without overlap, and updates the counts of the words that held the pair only. A priority queue with lazily
 * corrected entries finds the best pair.
 */
final class BpeTrainer {
    /** A learned merge: {@code left} and {@code right} become {@code result}. */
    record Merge(int left, int right, int result) {
    }

    /** The merges in rank order and the bytes of every token id (256 single bytes first). */
    record Result(List<Merge> merges, List<byte[]> tokenBytes) {
    }

    private record Entry(long count, int left, int right) {
    }

    private final List<int[]> words = new ArrayList<>();
    private final List<Long> weights = new ArrayList<>();
    private final Map<Long, long[]> pairCounts = new HashMap<>();
    private final Map<Long, Set<Integer>> wordsWithPair = new HashMap<>();
    private final PriorityQueue<Entry> queue = new PriorityQueue<>((x, y) -> x.count != y.count
            ? Long.compare(y.count, x.count)
            : x.left != y.left ? Integer.compare(x.left, y.left) : Integer.compare(x.right, y.right));

    private BpeTrainer() {
    }

    static long key(int left, int right) {
        return PairRanks.key(left, right);
    }

    /**
     * {@link ByteLevelBpeTokenizer#train}: counts the chunks of {@code text} outside literal special tokens, learns
     * the merges, and numbers the special tokens after the learned tokens.
     */
    static ByteLevelBpeTokenizer trainTokenizer(String text, int vocabSize, List<String> specialTokens) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(specialTokens, "specialTokens");
        if (vocabSize < 256 + specialTokens.size()) {
            throw new IllegalArgumentException("ByteLevelBpeTokenizer.train: vocabSize " + vocabSize + " is too small;"
                    + " it needs at least 256 (the bytes) + " + specialTokens.size() + " (the special tokens)");
        }
        SpecialTokens trainingSpecials = SpecialTokens.numbered(specialTokens, 0);
        Map<String, Long> chunkCounts = new HashMap<>();
        trainingSpecials.split(text, true, false, new SpecialTokens.Sink() {
            @Override
            public void text(int from, int to) {
                ChunkSplitter.split(text, from, to, (a, b) -> chunkCounts.merge(text.substring(a, b), 1L, Long::sum));
            }

            @Override
            public void special(int id) {
            }
        });
        Result learned = train(chunkCounts, vocabSize - 256 - specialTokens.size());
        int ordinary = learned.tokenBytes().size();
        byte[][] bytes = new byte[ordinary + specialTokens.size()][];
        for (int id = 0; id < ordinary; id++) {
            bytes[id] = learned.tokenBytes().get(id);
        }
        int[][] merges = learned.merges().stream().map(m -> new int[] {m.left(), m.right(), m.result()})
                .toArray(int[][]::new);
        return new ByteLevelBpeTokenizer(bytes, merges, SpecialTokens.numbered(specialTokens, ordinary),
                ByteLevelBpeTokenizer.Pipeline.TRANSFORMER4J);
    }

    /**
     * Learns at most {@code maxMerges} merges from the chunk counts (fewer if the text runs out of pairs).
     *
     * @param chunkCounts each distinct chunk of the text and how often it occurs
     */
    static Result train(Map<String, Long> chunkCounts, int maxMerges) {
        BpeTrainer t = new BpeTrainer();
        List<String> chunks = new ArrayList<>(chunkCounts.keySet());
        chunks.sort(null); // word indices independent of hash order
        for (String c : chunks) {
            byte[] b = Wtf8.encode(c);
            if (b.length < 2) {
                continue; // no pairs
            }
            int[] w = new int[b.length];
            for (int i = 0; i < b.length; i++) {
                w[i] = b[i] & 0xFF;
            }
            t.words.add(w);
            t.weights.add(chunkCounts.get(c));
        }
        return t.run(maxMerges);
    }

    private Result run(int maxMerges) {
        for (int wi = 0; wi < words.size(); wi++) {
            int[] w = words.get(wi);
            long weight = weights.get(wi);
            for (int i = 0; i + 1 < w.length; i++) {
                long k = key(w[i], w[i + 1]);
                pairCounts.computeIfAbsent(k, x -> new long[1])[0] += weight;
                wordsWithPair.computeIfAbsent(k, x -> new HashSet<>()).add(wi);
            }
        }
        pairCounts.forEach((k, c) -> queue.add(new Entry(c[0], (int) (k >>> 32), (int) (long) k)));

        List<byte[]> tokenBytes = new ArrayList<>();
        Map<String, Integer> idOfBytes = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            tokenBytes.add(new byte[] {(byte) b});
            idOfBytes.put(new String(new byte[] {(byte) b}, StandardCharsets.ISO_8859_1), b);
        }
        List<Merge> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Entry best = nextBest();
            if (best == null) {
                break;
            }
            byte[] l = tokenBytes.get(best.left);
            byte[] r = tokenBytes.get(best.right);
            byte[] joined = new byte[l.length + r.length];
            System.arraycopy(l, 0, joined, 0, l.length);
            System.arraycopy(r, 0, joined, l.length, r.length);
            String joinedKey = new String(joined, StandardCharsets.ISO_8859_1);
            // the same bytes may have been built by another merge path; they keep their one id
            Integer result = idOfBytes.get(joinedKey);
            if (result == null) {
                result = tokenBytes.size();
                tokenBytes.add(joined);
                idOfBytes.put(joinedKey, result);
            }
            merges.add(new Merge(best.left, best.right, result));
            apply(best.left, best.right, result);
        }
        return new Result(merges, tokenBytes);
    }

    /** Pops the most frequent pair with a current count; stale entries are re-queued with their true count. */
    private Entry nextBest() {
        while (!queue.isEmpty()) {
            Entry e = queue.poll();
            long[] c = pairCounts.get(key(e.left, e.right));
            long now = c == null ? 0 : c[0];
            if (now == e.count && now > 0) {
                return e;
            }
            if (now > 0 && now < e.count) {
                queue.add(new Entry(now, e.left, e.right));
            }
        }
        return null;
    }

    private void apply(int left, int right, int result) {
        long mergedKey = key(left, right);
        Set<Integer> affected = wordsWithPair.remove(mergedKey);
        Map<Long, Long> delta = new HashMap<>();
        for (int wi : affected) {
            int[] w = words.get(wi);
            int[] merged = new int[w.length];
            int n = 0;
            for (int i = 0; i < w.length; ) {
                if (i + 1 < w.length && w[i] == left && w[i + 1] == right) {
                    merged[n++] = result;
                    i += 2;
                } else {
                    merged[n++] = w[i++];
                }
            }
            if (n == w.length) {
                continue; // stale index entry: the pair had already gone from this word
            }
            long weight = weights.get(wi);
            for (int i = 0; i + 1 < w.length; i++) {
                delta.merge(key(w[i], w[i + 1]), -weight, Long::sum);
            }
            for (int i = 0; i + 1 < n; i++) {
                long k = key(merged[i], merged[i + 1]);
                delta.merge(k, weight, Long::sum);
                if (merged[i] == result || merged[i + 1] == result) {
                    wordsWithPair.computeIfAbsent(k, x -> new HashSet<>()).add(wi);
                }
            }
            words.set(wi, Arrays.copyOf(merged, n));
        }
        delta.forEach((k, d) -> {
            if (d == 0) {
                return;
            }
            long[] c = pairCounts.computeIfAbsent(k, x -> new long[1]);
            c[0] += d;
            if (c[0] <= 0) {
                pairCounts.remove(k);
            } else if (d > 0) {
                queue.add(new Entry(c[0], (int) (k >>> 32), (int) (long) k));
            }
        });
        pairCounts.remove(mergedKey);
    }
}
