package org.transformer4j.serve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.model.GptConfig;

/**
 * A small deterministic {@link GptRuntime} for tests of batching and the HTTP layer: the logits of a position are a
 * hash of every visible (unmasked) token of its row and their positions, so any mistake in padding, masks,
 * positions, row selection, appending or trimming changes the tokens chosen. Its cache checks every shape and
 * refuses positions outside the context, as the contract says. Optionally a {@link #gate} blocks each forward pass
 * until a permit is released (to hold requests in flight without sleeping), and a {@link #poison} token id makes a
 * forward fail.
 */
public final class ToyRuntime implements GptRuntime {
    private final GptConfig config;
    public final AtomicInteger forwards = new AtomicInteger();
    public final AtomicInteger maxRows = new AtomicInteger();
    public final AtomicInteger openCaches = new AtomicInteger();
    public volatile Semaphore gate;
    public volatile int poison = -1;

    public ToyRuntime(int vocab, int context) {
        this.config = GptConfig.builder().vocabSize(vocab).contextLength(context).layers(1).heads(1)
                .embeddingDim(8).feedForwardDim(16).build();
    }

    @Override
    public GptConfig config() {
        return config;
    }

    @Override
    public GptCache newCache(int rows) {
        openCaches.incrementAndGet();
        return new Cache(rows);
    }

    @Override
    public float[] forward(GptCache c, int[][] ids, int[][] positions, int[][] mask, boolean lastOnly) {
        Semaphore g = gate;
        if (g != null) {
            g.acquireUninterruptibly();
        }
        forwards.incrementAndGet();
        Cache cache = (Cache) c;
        int rows = cache.rows();
        maxRows.accumulateAndGet(rows, Math::max);
        if (ids.length != rows || positions.length != rows || (mask != null && mask.length != rows)) {
            throw new IllegalArgumentException("rows do not match the cache's " + rows);
        }
        int t = ids[0].length;
        int length = cache.length();
        int vocab = config.vocabSize();
        float[] out = new float[rows * (lastOnly ? 1 : t) * vocab];
        for (int r = 0; r < rows; r++) {
            if (ids[r].length != t || positions[r].length != t || (mask != null && mask[r].length != length + t)) {
                throw new IllegalArgumentException("row " + r + " has the wrong width");
            }
            for (int j = 0; j < t; j++) {
                if (ids[r][j] < 0 || ids[r][j] >= vocab) {
                    throw new IllegalArgumentException("id " + ids[r][j] + " outside the vocabulary");
                }
                if (ids[r][j] == poison) {
                    throw new IllegalStateException("poisoned token " + poison);
                }
                if (positions[r][j] < 0 || positions[r][j] >= config.contextLength()) {
                    throw new IllegalArgumentException("position " + positions[r][j] + " outside the context");
                }
                cache.entries.get(r).add(new int[] {ids[r][j], positions[r][j], mask == null ? 1 : mask[r][length + j]});
            }
            List<int[]> row = cache.entries.get(r);
            for (int j = 0; j < t; j++) {
                if (lastOnly && j != t - 1) {
                    continue;
                }
                long h = 17;
                for (int k = 0; k <= length + j; k++) {
                    if (mask == null || mask[r][k] == 1) {
                        int[] e = row.get(k);
                        h = h * 1_000_003L + e[0] * 131L + e[1] * 7919L + 1;
                    }
                }
                int base = (r * (lastOnly ? 1 : t) + (lastOnly ? 0 : j)) * vocab;
                for (int v = 0; v < vocab; v++) {
                    long x = h ^ (v * 0x9E3779B97F4A7C15L);
                    x ^= x >>> 31;
                    x *= 0xBF58476D1CE4E5B9L;
                    x ^= x >>> 29;
                    out[base + v] = (float) ((x >>> 40) / (double) (1L << 24)) * 6f - 3f;
                }
            }
        }
        return out;
    }

    /** A cache as lists of (token, position) per row; padding entries from append are {@code {-1, -1, 0}}, and the third field
     * of an entry is the mask bit it was written with. */
    private final class Cache implements GptCache {
        List<List<int[]>> entries = new ArrayList<>();
        boolean closed;

        Cache(int rows) {
            for (int r = 0; r < rows; r++) {
                entries.add(new ArrayList<>());
            }
        }

        @Override
        public int rows() {
            return entries.size();
        }

        @Override
        public int length() {
            return entries.isEmpty() ? 0 : entries.get(0).size();
        }

        @Override
        public void selectRows(int[] rows) {
            List<List<int[]>> next = new ArrayList<>();
            for (int r : rows) {
                next.add(new ArrayList<>(entries.get(r)));
            }
            entries = next;
        }

        @Override
        public void append(GptCache other) {
            Cache o = (Cache) other;
            int length = Math.max(length(), o.length());
            padTo(this, length);
            padTo(o, length);
            entries.addAll(o.entries);
            o.close();
        }

        private void padTo(Cache c, int length) {
            for (List<int[]> row : c.entries) {
                while (row.size() < length) {
                    row.addFirst(new int[] {-1, -1, 0});
                }
            }
        }

        @Override
        public void dropFirst(int columns) {
            for (List<int[]> row : entries) {
                for (int i = 0; i < columns; i++) {
                    if (row.getFirst()[2] != 0) {
                        throw new IllegalStateException("dropFirst removed a real token: the batcher's bookkeeping"
                                + " is wrong");
                    }
                    row.removeFirst();
                }
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                openCaches.decrementAndGet();
            }
        }
    }

    /**
     * The reference: greedy or seeded decoding of one prompt alone, a row of one with no padding and no mask, by the
     * plain loop of {@link org.transformer4j.generate.SamplingSearch} semantics (stop tokens included).
     */
    public int[] alone(int[] prompt, org.transformer4j.generate.GenerationOptions options) {
        org.transformer4j.generate.TokenSampler sampler = new org.transformer4j.generate.TokenSampler(options);
        int vocab = config.vocabSize();
        try (GptCache cache = newCache(1)) {
            int[][] positions = {new int[prompt.length]};
            for (int i = 0; i < prompt.length; i++) {
                positions[0][i] = i;
            }
            Semaphore g = gate;
            gate = null;
            try {
                float[] logits = forward(cache, new int[][] {prompt}, positions, null, true);
                int[] out = new int[options.maxNewTokens()];
                int n = 0;
                while (true) {
                    int next = sampler.next(logits, 0, vocab);
                    out[n++] = next;
                    if (options.stopTokens().contains(next) || n == options.maxNewTokens()) {
                        return Arrays.copyOf(out, n);
                    }
                    logits = forward(cache, new int[][] {{next}}, new int[][] {{prompt.length + n - 1}}, null, true);
                }
            } finally {
                gate = g;
            }
        }
    }
}
