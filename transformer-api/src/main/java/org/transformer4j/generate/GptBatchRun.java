package org.transformer4j.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One batched generation run of a GPT on any {@link GptRuntime} ({@link GptGenerator#generate(List, List,
 * BatchTokenListener)}): prompts of different lengths run as one batch, left-padded,
 * each row with its own positions (its first real token at position 0), a key mask hiding the padding, and its
 * own sampler. Finished rows leave the batch (their cache rows are dropped). When a row's window is full, the
 * cache is rebuilt: that row keeps its most recent half-window of tokens, the other rows their whole current
 * window, so every row sees exactly the tokens it would see generated alone.
 */
public final class GptBatchRun {
    private final GptRuntime runtime;
    private GptCache cache;
    private final int context;
    private final int vocab;
    private final List<GenerationOptions> options;
    private final TokenSampler[] samplers;
    private final int[][] history;
    private final int[] historyLength;
    private final int[] windowStart;
    private final int[][] out;
    private final int[] produced;

    // the batch: batch row i generates for prompt active[i]
    private int[] active;
    private int[] nextPosition;
    private int[][] mask;
    private boolean padded;

    /**
     * Continues {@code prompts} (any lengths) as one batch on {@code runtime}: prompt {@code i} is decoded with
     * {@code options.get(i)} and gives, token for token, what decoding it alone gives; rows that finish leave the
     * batch. The run's cache is closed at the end.
     *
     * @param runtime the runtime
     * @param prompts the prompts' token ids
     * @param options one per prompt
     * @param listener sees each new token of each prompt; false stops that prompt
     * @return the new tokens of each prompt, in prompt order
     * @throws IllegalArgumentException for no prompts, a count of options that differs from the prompts', or a
     *                                  prompt that is empty, holds an id outside the vocabulary, or is longer than
     *                                  the context without {@link GenerationOptions#cropPrompt()}
     */
    public static List<int[]> run(GptRuntime runtime, List<int[]> prompts, List<GenerationOptions> options,
            BatchTokenListener listener) {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(listener, "listener");
        GptBatchRun run = null;
        try {
            if (prompts.isEmpty()) {
                throw new IllegalArgumentException("no prompts given: give at least one");
            }
            if (options.size() != prompts.size()) {
                throw new IllegalArgumentException(prompts.size() + " prompts but " + options.size()
                        + " generation options: give one options per prompt");
            }
            run = new GptBatchRun(runtime, prompts, options);
            return run.run(listener);
        } finally {
            if (run != null && run.cache != null) {
                run.cache.close();
            }
        }
    }

    private GptBatchRun(GptRuntime runtime, List<int[]> prompts, List<GenerationOptions> options) {
        this.runtime = runtime;
        this.context = runtime.contextLength();
        this.vocab = runtime.vocabSize();
        this.options = options;
        int n = prompts.size();
        this.samplers = new TokenSampler[n];
        this.history = new int[n][];
        this.historyLength = new int[n];
        this.windowStart = new int[n];
        this.out = new int[n][];
        this.produced = new int[n];
        for (int r = 0; r < n; r++) {
            String what = n == 1 ? "the prompt" : "prompt " + r;
            int[] fitted = Sessions.checkTokens(prompts.get(r), vocab, context, options.get(r).cropPrompt(), what);
            history[r] = Arrays.copyOf(fitted, fitted.length + options.get(r).maxNewTokens());
            historyLength[r] = fitted.length;
            samplers[r] = new TokenSampler(options.get(r));
            out[r] = new int[options.get(r).maxNewTokens()];
        }
    }

    private List<int[]> run(BatchTokenListener listener) {
        active = java.util.stream.IntStream.range(0, history.length)
                .filter(r -> options.get(r).maxNewTokens() > 0).toArray();
        float[] logits = active.length == 0 ? null : rebuild();
        while (active.length > 0) {
            int[] keep = new int[active.length];
            int kept = 0;
            for (int i = 0; i < active.length; i++) {
                int r = active[i];
                int next = samplers[r].next(logits, i * vocab, vocab);
                out[r][produced[r]++] = next;
                history[r][historyLength[r]++] = next;
                boolean goOn = listener.onToken(r, next) && !options.get(r).stopTokens().contains(next)
                        && produced[r] < options.get(r).maxNewTokens();
                if (goOn) {
                    keep[kept++] = i;
                }
            }
            if (kept == 0) {
                break;
            }
            if (kept < active.length) {
                dropRows(Arrays.copyOf(keep, kept));
            }
            boolean full = false;
            for (int i = 0; i < active.length; i++) {
                if (nextPosition[i] + 1 > context) {
                    int r = active[i];
                    windowStart[r] = historyLength[r] - Math.max(1, context / 2);
                    full = true;
                }
            }
            logits = full ? rebuild() : step();
        }
        List<int[]> results = new ArrayList<>();
        for (int r = 0; r < history.length; r++) {
            results.add(Arrays.copyOf(out[r], produced[r]));
        }
        return results;
    }

    /** Keeps batch rows {@code rows} (indices into the current batch). */
    private void dropRows(int[] rows) {
        cache.selectRows(rows);
        int[] newActive = new int[rows.length];
        int[] newPositions = new int[rows.length];
        int[][] newMask = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            newActive[i] = active[rows[i]];
            newPositions[i] = nextPosition[rows[i]];
            newMask[i] = mask[rows[i]];
        }
        active = newActive;
        nextPosition = newPositions;
        mask = newMask;
        if (padded) {
            trimPadding();
        }
    }

    /** Drops the padding columns that every remaining row has at its start (their longer rows have left). */
    private void trimPadding() {
        int common = Integer.MAX_VALUE;
        for (int[] row : mask) {
            int lead = 0;
            while (lead < row.length && row[lead] == 0) {
                lead++;
            }
            common = Math.min(common, lead);
        }
        if (common > 0) {
            cache.dropFirst(common);
            for (int i = 0; i < mask.length; i++) {
                mask[i] = Arrays.copyOfRange(mask[i], common, mask[i].length);
            }
        }
        padded = hasZero();
    }

    private boolean hasZero() {
        for (int[] row : mask) {
            for (int v : row) {
                if (v == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Runs every active row's current window from scratch, left-padded; gives the last position's logits per row. */
    private float[] rebuild() {
        int rows = active.length;
        int width = 0;
        for (int r : active) {
            width = Math.max(width, historyLength[r] - windowStart[r]);
        }
        int[][] ids = new int[rows][width];
        int[][] positions = new int[rows][width];
        mask = new int[rows][width];
        nextPosition = new int[rows];
        padded = false;
        for (int i = 0; i < rows; i++) {
            int r = active[i];
            int length = historyLength[r] - windowStart[r];
            int pad = width - length;
            padded |= pad > 0;
            for (int j = 0; j < width; j++) {
                boolean real = j >= pad;
                ids[i][j] = history[r][windowStart[r] + (real ? j - pad : 0)];
                positions[i][j] = real ? j - pad : 0;
                mask[i][j] = real ? 1 : 0;
            }
            nextPosition[i] = length;
        }
        if (cache != null) {
            cache.close();
        }
        cache = runtime.newCache(rows);
        return runtime.forward(cache, ids, positions, padded ? mask : null, true);
    }

    /** Feeds every active row's latest token at its own next position. */
    private float[] step() {
        int rows = active.length;
        int[][] ids = new int[rows][1];
        int[][] positions = new int[rows][1];
        for (int i = 0; i < rows; i++) {
            int r = active[i];
            ids[i][0] = history[r][historyLength[r] - 1];
            positions[i][0] = nextPosition[i]++;
            mask[i] = Arrays.copyOf(mask[i], mask[i].length + 1);
            mask[i][mask[i].length - 1] = 1;
        }
        return runtime.forward(cache, ids, positions, padded ? mask : null, true);
    }
}
