package org.transformer4j.tensor;

/**
 * Element type of a {@link Tensor}: float32 for values, int32 or int64 for token ids.
 * The byte size is what checkpoints and native backends store per element.
 */
public enum DType {
    FLOAT32(4),
    INT32(4),
    INT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes one element takes in memory and in checkpoints. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the integer types used for token ids and masks. */
    public boolean isInteger() {
        return this != FLOAT32;
    }
}
