package org.transformer4j.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * Random training batches from a token array, as nanoGPT's {@code get_batch}: each of the {@code B} rows starts at
 * an offset drawn uniformly from {@code [0, n - T - 1]}; {@value #INPUT_IDS} is {@code tokens[i, i+T)} and
 * {@value #TARGETS} is {@code tokens[i+1, i+T+1)}, both int32 {@code [B, T]}.
 *
 * <p>Exactly resumable: the offsets of batch number k depend only on the seed and k (each batch has its own
 * {@link SplittableRandom} derived from both), so {@link #seek(long)} to a saved {@link #position()} continues
 * the same sequence of batches. Not thread-safe (it has a position); the token array is held, not copied.
 */
public final class BatchSampler implements BatchSource {
    /** Name of the input tensor in each {@link Batch}. */
    public static final String INPUT_IDS = "input_ids";
    /** Name of the target tensor in each {@link Batch}. */
    public static final String TARGETS = "targets";

    private final int[] tokens;
    private final int batchSize;
    private final int blockSize;
    private final long seed;
    private long position;

    /**
     * A sampler over {@code tokens}; see {@link #BatchSampler(String, int[], int, int, long)}.
     *
     * @param tokens the token stream, at least {@code blockSize + 1} long
     * @param batchSize B: sequences per batch, at least 1
     * @param blockSize T: tokens per input sequence, at least 1
     * @param seed the seed every batch's offsets derive from
     */
    public BatchSampler(int[] tokens, int batchSize, int blockSize, long seed) {
        this("token array", tokens, batchSize, blockSize, seed);
    }

    /**
     * A sampler of {@code batchSize} sequences of {@code blockSize} tokens (plus one for the targets).
     *
     * @param dataName what {@code tokens} is (e.g. "validation split"), for error messages
     * @param tokens the token stream, at least {@code blockSize + 1} long
     * @param batchSize B: sequences per batch, at least 1
     * @param blockSize T: tokens per input sequence, at least 1
     * @param seed the seed every batch's offsets derive from
     * @throws IllegalArgumentException if {@code batchSize < 1}, {@code blockSize < 1}, or {@code tokens} has fewer
     *     than {@code blockSize + 1} tokens
     */
    public BatchSampler(String dataName, int[] tokens, int batchSize, int blockSize, long seed) {
        Objects.requireNonNull(tokens, "tokens");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size (sequence length T) must be at least 1, got " + blockSize);
        }
        if (tokens.length < (long) blockSize + 1) {
            throw new IllegalArgumentException("the " + dataName + " has " + tokens.length + " tokens, too few for"
                    + " sequences of block size " + blockSize + " (it needs at least " + ((long) blockSize + 1)
                    + "); use more data, a smaller block size, or a different split fraction");
        }
        this.tokens = tokens;
        this.batchSize = batchSize;
        this.blockSize = blockSize;
        this.seed = seed;
    }

    /** The next batch; advances {@link #position()} by one. */
    public Batch next() {
        int[] offsets = offsets(position);
        int[] inputs = new int[batchSize * blockSize];
        int[] targets = new int[batchSize * blockSize];
        for (int b = 0; b < batchSize; b++) {
            System.arraycopy(tokens, offsets[b], inputs, b * blockSize, blockSize);
            System.arraycopy(tokens, offsets[b] + 1, targets, b * blockSize, blockSize);
        }
        position++;
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Shape shape = Shape.of(batchSize, blockSize);
        tensors.put(INPUT_IDS, HostTensor.ofInts(shape, inputs));
        tensors.put(TARGETS, HostTensor.ofInts(shape, targets));
        return new Batch(tensors);
    }

    /**
     * The start offsets of batch number {@code batchIndex} (0-based), each in {@code [0, n - T - 1]}; a pure
     * function of the seed and the index.
     *
     * @param batchIndex the batch number, 0 or more
     * @return B offsets into the tokens
     */
    public int[] offsets(long batchIndex) {
        if (batchIndex < 0) {
            throw new IllegalArgumentException("batch index must be at least 0, got " + batchIndex);
        }
        SplittableRandom random = new SplittableRandom(Seeds.stream(seed, batchIndex));
        int bound = tokens.length - blockSize; // offsets 0..n-T-1
        int[] out = new int[batchSize];
        for (int b = 0; b < batchSize; b++) {
            out[b] = random.nextInt(bound);
        }
        return out;
    }

    /** Number of batches drawn so far (or the position set by {@link #seek}): the index of the next batch. */
    public long position() {
        return position;
    }

    /** Makes batch number {@code position} the next one {@link #next()} returns. */
    public void seek(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must be at least 0, got " + position);
        }
        this.position = position;
    }

    /**
     * B: sequences per batch.
     *
     * @return B
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * T: tokens per input sequence.
     *
     * @return T
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * The seed all batches derive from.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }
}
