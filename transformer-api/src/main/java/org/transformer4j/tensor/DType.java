package org.transformer4j.tensor;

/**
 * Element type of a {@link Tensor}: float32 for values, int32 or int64 for token ids.
 * The byte size is what checkpoints and native backends store per element.
 */
public enum DType {
    /** 32-bit IEEE float: activations, weights, logits. */
    FLOAT32(4),
    /** 32-bit signed integer: token ids and masks. */
    INT32(4),
    /** 64-bit signed integer: token ids as ONNX and PyTorch store them. */
    INT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /**
     * Bytes one element takes in memory and in checkpoints.
     *
     * @return 4 or 8
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * True for the integer types used for token ids and masks.
     *
     * @return true for int32 and int64
     */
    public boolean isInteger() {
        return this != FLOAT32;
    }
}
