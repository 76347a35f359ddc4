package org.transformer4j.tensor;

/**
 * An n-dimensional array owned by a backend: heap arrays on the CPU backend, native memory on
 * TensorFlow or ONNX Runtime. Values copy out to Java arrays; {@link #close()} frees native storage
 * (a no-op for heap tensors), so use try-with-resources where a backend holds native memory.
 */
public interface Tensor extends AutoCloseable {

    /**
     * The dimensions.
     *
     * @return the shape
     */
    Shape shape();

    /**
     * The element type.
     *
     * @return the dtype
     */
    DType dtype();

    /**
     * The values as a new float array, in row-major order; fails for integer tensors.
     *
     * @return the values, {@code shape().size()} of them
     */
    float[] toFloatArray();

    /**
     * The values as a new int array, in row-major order; fails for float tensors.
     *
     * @return the values, {@code shape().size()} of them
     */
    int[] toIntArray();

    /**
     * Convenience: the single value of a scalar (or one-element) float tensor.
     *
     * @return the value
     */
    default float item() {
        float[] v = toFloatArray();
        if (v.length != 1) {
            throw new ShapeMismatchException("item(): tensor of shape " + shape() + " has " + v.length
                    + " elements, not 1");
        }
        return v[0];
    }

    /** Frees native storage; heap tensors ignore it. Never throws a checked exception. */
    @Override
    default void close() {
    }
}
