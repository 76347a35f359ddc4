package org.transformer4j.cpu.kernel;

/**
 * A list of arrays cut into fixed-size blocks numbered in order (array 0's blocks first), so that one parallel loop
 * covers them all: a model's parameters are many arrays, most of them too small to be worth splitting one by one.
 * Blocks have a fixed size, so what is computed per block, and in which order partial results are combined, does not
 * depend on the thread count.
 */
public final class ArrayBlocks {
    /** Handles block {@code block}: elements {@code [from, to)} of array {@code array}. */
    @FunctionalInterface
    public interface Body {
        void run(int block, int array, int from, int to);
    }

    private final int[] lengths;
    private final int blockSize;
    /** {@code firstBlock[i]} is the number of array i's first block; the last entry is the count. */
    private final int[] firstBlock;

    /** Blocks of {@code blockSize} elements over arrays of the given lengths (each array's last block may be short). */
    public ArrayBlocks(int[] lengths, int blockSize) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1, was " + blockSize);
        }
        this.lengths = lengths.clone();
        this.blockSize = blockSize;
        this.firstBlock = new int[lengths.length + 1];
        for (int i = 0; i < lengths.length; i++) {
            firstBlock[i + 1] = Math.addExact(firstBlock[i], (lengths[i] + blockSize - 1) / blockSize);
        }
    }

    /** The number of blocks. */
    public int count() {
        return firstBlock[lengths.length];
    }

    /** Runs {@code body} for every block, split across {@code par}'s threads {@code grain} blocks at a time. */
    public void forEach(Parallelism par, int grain, Body body) {
        par.forRange(count(), grain, (from, to) -> {
            int array = 0;
            for (int blk = from; blk < to; blk++) {
                while (blk >= firstBlock[array + 1]) {
                    array++;
                }
                int start = (blk - firstBlock[array]) * blockSize;
                body.run(blk, array, start, Math.min(lengths[array], start + blockSize));
            }
        });
    }
}
