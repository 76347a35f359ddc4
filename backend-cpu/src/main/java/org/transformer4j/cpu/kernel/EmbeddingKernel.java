package org.transformer4j.cpu.kernel;

/**
 * Row lookup in an embedding table and its backward, the scatter-add of row gradients.
 * The backward is split across threads by channel range: each thread adds its columns for every id in
 * position order, so repeated ids accumulate without races and the result does not depend on the
 * thread count.
 */
public final class EmbeddingKernel {
    private static final String KERNEL = "EmbeddingKernel";
    /** Channels per backward chunk at least: a whole number of 64-byte cache lines, to avoid false sharing. */
    private static final int CHANNEL_GRAIN = 64;

    private EmbeddingKernel() {
    }

    /**
     * {@code out[p, :] = table[ids[p], :]} for positions p in [0, n).
     *
     * @param table {@code [vocab, c]}
     * @param ids   {@code [n]}, each in {@code [0, vocab)}
     * @param out   receives {@code [n, c]}
     * @throws IllegalArgumentException naming the id, its position and vocab when an id is out of range
     */
    public static void forward(Parallelism par, float[] table, int vocab, int c, int[] ids, int n, float[] out) {
        String k = KERNEL + ".forward";
        KernelArgs.nonNegative(k, "vocab", vocab);
        KernelArgs.positive(k, "c", c);
        KernelArgs.length(k, "table", table, (long) vocab * c);
        KernelArgs.length(k, "out", out, (long) n * c);
        checkIds(k, ids, n, vocab);
        par.forRange(n, KernelMath.rowGrain(c), (from, to) -> {
            for (int p = from; p < to; p++) {
                System.arraycopy(table, ids[p] * c, out, p * c, c);
            }
        });
    }

    /**
     * {@code dtable[ids[p], :] += dout[p, :]} for every position p (ids repeated accumulate).
     *
     * @param dout   {@code [n, c]}
     * @param dtable {@code [vocab, c]} with {@code vocab = dtable.length / c}
     */
    public static void backward(Parallelism par, float[] dout, int[] ids, int n, int c, float[] dtable) {
        String k = KERNEL + ".backward";
        KernelArgs.positive(k, "c", c);
        KernelArgs.length(k, "dout", dout, (long) n * c);
        KernelArgs.notNull(k, "dtable", dtable);
        checkIds(k, ids, n, dtable.length / c);
        par.forRange(c, CHANNEL_GRAIN, (from, to) -> {
            int len = to - from;
            for (int p = 0; p < n; p++) {
                KernelMath.axpy(1f, dout, p * c + from, dtable, ids[p] * c + from, len);
            }
        });
    }

    private static void checkIds(String k, int[] ids, int n, int vocab) {
        KernelArgs.nonNegative(k, "n", n);
        KernelArgs.length(k, "ids", ids, n);
        for (int p = 0; p < n; p++) {
            int id = ids[p];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException(k + ": token id " + id + " at position " + p + " is outside [0, "
                        + vocab + "), the vocabulary of the embedding table; check the tokenizer matches the model");
            }
        }
    }
}
