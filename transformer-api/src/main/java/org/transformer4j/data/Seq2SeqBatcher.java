package org.transformer4j.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.transformer4j.model.GptModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * Encoder-decoder training batches from a {@link PairDataset}, in the input layout of
 * {@code Seq2SeqModel} (all int32):
 * <ul>
 *   <li>{@value #SRC_IDS} {@code [B, S]}: the sources, padded with the {@code <pad>} id;</li>
 *   <li>{@value #SRC_MASK} {@code [B, S]}: 1 at real source tokens, 0 at padding;</li>
 *   <li>{@value #TGT_IN} {@code [B, T]}: {@code <bos>} followed by the target (teacher forcing), padded with
 *       {@code <pad>};</li>
 *   <li>{@value #TARGETS} {@code [B, T]}: the target followed by {@code <eos>}, padded with
 *       {@link GptModel#IGNORE_INDEX} so padding does not count in the loss.</li>
 * </ul>
 * {@code S} and {@code T} are the longest source and decoder sequence of the batch ({@link Padding#LONGEST}),
 * or always the context length ({@link Padding#CONTEXT}, fixed shapes for backends that trace a graph).
 *
 * <p>Order: epochs of the pairs, each in its own seeded random order (every pair once per epoch); batch
 * {@code k} holds items {@code kB .. kB+B-1} of that endless sequence, so a batch may span two epochs.
 * Exactly resumable: batch {@code k} depends only on the data, the seed and {@code k}, so {@link #seek(long)}
 * to a saved {@link #position()} continues the same batches. Not thread-safe.
 */
public final class Seq2SeqBatcher implements BatchSource {
    /** Name of the source ids tensor. */
    public static final String SRC_IDS = "src_ids";
    /** Name of the source mask tensor. */
    public static final String SRC_MASK = "src_mask";
    /** Name of the decoder input tensor. */
    public static final String TGT_IN = "tgt_in";
    /** Name of the target tensor. */
    public static final String TARGETS = "targets";

    /** How long the padded sequences of a batch are. */
    public enum Padding {
        /** Pad to the longest source and the longest decoder sequence of each batch (least work). */
        LONGEST,
        /** Pad every batch to the context length (the same shapes every time). */
        CONTEXT
    }

    private final PairDataset data;
    private final int batchSize;
    private final int contextLength;
    private final Padding padding;
    private final long seed;
    private long position;
    private long cachedEpoch = -1;
    private int[] cachedOrder;

    /**
     * A batcher padding to the longest sequences of each batch; see the full constructor.
     *
     * @param data the tokenized pairs
     * @param batchSize B: pairs per batch, at least 1
     * @param contextLength the model's context length, at least 2
     * @param seed the seed every batch order derives from
     */
    public Seq2SeqBatcher(PairDataset data, int batchSize, int contextLength, long seed) {
        this("pairs", data, batchSize, contextLength, Padding.LONGEST, seed);
    }

    /**
     * A batcher of {@code batchSize} pairs per batch for a model of context length {@code contextLength}.
     *
     * @param dataName what {@code data} is (e.g. "training pairs from train.tsv"), for error messages
     * @param data the tokenized pairs
     * @param batchSize B: pairs per batch, at least 1
     * @param contextLength the model's context length, at least 2
     * @param padding to each batch's longest sequences or to the context length
     * @param seed the seed every batch order derives from
     * @throws IllegalArgumentException if {@code batchSize < 1}, {@code contextLength < 2}, or a source is longer
     *     than the context, or a target plus {@code <eos>} is (the message names the first such pair)
     */
    public Seq2SeqBatcher(String dataName, PairDataset data, int batchSize, int contextLength, Padding padding, long seed) {
        Objects.requireNonNull(dataName, "dataName");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(padding, "padding");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length must be at least 2 (one token and <eos>), got " + contextLength);
        }
        for (int i = 0; i < data.size(); i++) {
            if (data.source(i).length > contextLength) {
                throw new IllegalArgumentException("the " + dataName + " have a source of " + data.source(i).length
                        + " tokens (pair " + i + ") but the context length is " + contextLength + " (the longest source is "
                        + data.maxSourceLength() + " tokens); raise the context length or drop the long pairs");
            }
            if (data.target(i).length + 1 > contextLength) {
                throw new IllegalArgumentException("the " + dataName + " have a target of " + data.target(i).length
                        + " tokens (pair " + i + "), which with <bos>/<eos> needs " + (data.target(i).length + 1)
                        + " positions but the context length is " + contextLength + " (the longest needs "
                        + data.maxDecoderLength() + "); raise the context length or drop the long pairs");
            }
        }
        this.data = data;
        this.batchSize = batchSize;
        this.contextLength = contextLength;
        this.padding = padding;
        this.seed = seed;
    }

    @Override
    public Batch next() {
        int[] pairs = pairIndices(position);
        position++;
        int s = 1;
        int t = 1;
        if (padding == Padding.CONTEXT) {
            s = contextLength;
            t = contextLength;
        } else {
            for (int i : pairs) {
                s = Math.max(s, data.source(i).length);
                t = Math.max(t, data.target(i).length + 1);
            }
        }
        int[] srcIds = new int[batchSize * s];
        int[] srcMask = new int[batchSize * s];
        int[] tgtIn = new int[batchSize * t];
        int[] targets = new int[batchSize * t];
        Arrays.fill(srcIds, data.padId());
        Arrays.fill(tgtIn, data.padId());
        Arrays.fill(targets, GptModel.IGNORE_INDEX);
        for (int b = 0; b < batchSize; b++) {
            int[] src = data.source(pairs[b]);
            int[] tgt = data.target(pairs[b]);
            System.arraycopy(src, 0, srcIds, b * s, src.length);
            Arrays.fill(srcMask, b * s, b * s + src.length, 1);
            tgtIn[b * t] = data.bosId();
            System.arraycopy(tgt, 0, tgtIn, b * t + 1, tgt.length);
            System.arraycopy(tgt, 0, targets, b * t, tgt.length);
            targets[b * t + tgt.length] = data.eosId();
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put(SRC_IDS, HostTensor.ofInts(Shape.of(batchSize, s), srcIds));
        tensors.put(SRC_MASK, HostTensor.ofInts(Shape.of(batchSize, s), srcMask));
        tensors.put(TGT_IN, HostTensor.ofInts(Shape.of(batchSize, t), tgtIn));
        tensors.put(TARGETS, HostTensor.ofInts(Shape.of(batchSize, t), targets));
        return new Batch(tensors);
    }

    /**
     * The pair indices of batch number {@code batchIndex} (0-based), in row order; a pure function of the
     * number of pairs, the seed and the index.
     *
     * @param batchIndex the batch number, 0 or more
     * @return B indices into {@link #data()}
     */
    public int[] pairIndices(long batchIndex) {
        if (batchIndex < 0) {
            throw new IllegalArgumentException("batch index must be at least 0, got " + batchIndex);
        }
        int n = data.size();
        int[] out = new int[batchSize];
        for (int b = 0; b < batchSize; b++) {
            long item = batchIndex * batchSize + b;
            out[b] = epochOrder(item / n)[(int) (item % n)];
        }
        return out;
    }

    private int[] epochOrder(long epoch) {
        if (epoch != cachedEpoch) {
            int n = data.size();
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            SplittableRandom random = new SplittableRandom(Seeds.stream(seed, epoch));
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                int j = random.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            cachedOrder = order;
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void seek(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must be at least 0, got " + position);
        }
        this.position = position;
    }

    /**
     * B: pairs per batch.
     *
     * @return B
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * The context length sequences are checked against (and padded to, with {@link Padding#CONTEXT}).
     *
     * @return the context length
     */
    public int contextLength() {
        return contextLength;
    }

    /**
     * The seed all batch orders derive from.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * The pairs batched.
     *
     * @return the dataset
     */
    public PairDataset data() {
        return data;
    }
}
