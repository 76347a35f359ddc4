package org.transformer4j.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor held in a plain Java array: the backend-neutral form of checkpoints, initial weights,
 * batches of token ids and masks. Backends upload it into their own tensors.
 * The accessors {@link #floats()}, {@link #ints()} and {@link #longs()} return the backing array
 * without copying: treat it as read-only.
 */
public final class HostTensor implements Tensor {
    private final Shape shape;
    private final DType dtype;
    private final float[] floats;
    private final int[] ints;
    private final long[] longs;

    private HostTensor(Shape shape, DType dtype, float[] floats, int[] ints, long[] longs) {
        this.shape = Objects.requireNonNull(shape, "shape");
        this.dtype = dtype;
        this.floats = floats;
        this.ints = ints;
        this.longs = longs;
        int n = floats != null ? floats.length : ints != null ? ints.length : longs.length;
        if (n != shape.size()) {
            throw new ShapeMismatchException("HostTensor: shape " + shape + " needs " + shape.size()
                    + " elements but " + n + " were given");
        }
    }

    /**
     * A float32 tensor backed by {@code data} (not copied).
     *
     * @param shape the dimensions; their product must equal the array's length
     * @param data the values in row-major order
     * @return the tensor
     */
    public static HostTensor ofFloats(Shape shape, float[] data) {
        return new HostTensor(shape, DType.FLOAT32, Objects.requireNonNull(data, "data"), null, null);
    }

    /**
     * An int32 tensor backed by {@code data} (not copied).
     *
     * @param shape the dimensions; their product must equal the array's length
     * @param data the values in row-major order
     * @return the tensor
     */
    public static HostTensor ofInts(Shape shape, int[] data) {
        return new HostTensor(shape, DType.INT32, null, Objects.requireNonNull(data, "data"), null);
    }

    /**
     * An int64 tensor backed by {@code data} (not copied).
     *
     * @param shape the dimensions; their product must equal the array's length
     * @param data the values in row-major order
     * @return the tensor
     */
    public static HostTensor ofLongs(Shape shape, long[] data) {
        return new HostTensor(shape, DType.INT64, null, null, Objects.requireNonNull(data, "data"));
    }

    /**
     * A float32 tensor of zeros.
     *
     * @param shape the dimensions
     * @return a new tensor
     */
    public static HostTensor zeros(Shape shape) {
        return ofFloats(shape, new float[shape.size()]);
    }

    /**
     * A float32 scalar.
     *
     * @param value the value
     * @return a rank-0 tensor
     */
    public static HostTensor scalar(float value) {
        return ofFloats(Shape.scalar(), new float[] {value});
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    /**
     * The backing float array (not a copy); fails unless float32.
     *
     * @return the array; writes to it change the tensor
     */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor " + shape + " is " + dtype + ", not FLOAT32");
        }
        return floats;
    }

    /**
     * The backing int array (not a copy); fails unless int32.
     *
     * @return the array; writes to it change the tensor
     */
    public int[] ints() {
        if (ints == null) {
            throw new IllegalStateException("tensor " + shape + " is " + dtype + ", not INT32");
        }
        return ints;
    }

    /**
     * The backing long array (not a copy); fails unless int64.
     *
     * @return the array; writes to it change the tensor
     */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor " + shape + " is " + dtype + ", not INT64");
        }
        return longs;
    }

    @Override
    public float[] toFloatArray() {
        return floats().clone();
    }

    @Override
    public int[] toIntArray() {
        if (longs != null) {
            int[] out = new int[longs.length];
            for (int i = 0; i < out.length; i++) {
                if (longs[i] != (int) longs[i]) {
                    throw new IllegalArgumentException("int64 tensor " + shape + ": value " + longs[i] + " at index " + i
                            + " does not fit in int32, which token ids, targets and masks use");
                }
                out[i] = (int) longs[i];
            }
            return out;
        }
        return ints().clone();
    }

    /**
     * A copy of this tensor with a new shape of the same size.
     *
     * @param newShape dimensions whose product is this tensor's size
     * @return the copy
     */
    public HostTensor reshape(Shape newShape) {
        if (newShape.size() != shape.size()) {
            throw new ShapeMismatchException("reshape: cannot view " + shape + " as " + newShape);
        }
        return new HostTensor(newShape, dtype, floats, ints, longs);
    }

    /**
     * A tensor of the same values converted to float32 (a copy; integers convert exactly up to 2^24).
     *
     * @return a new float32 tensor
     */
    public HostTensor toFloat32() {
        if (dtype == DType.FLOAT32) {
            return this;
        }
        float[] out = new float[shape.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ints != null ? ints[i] : longs[i];
        }
        return ofFloats(shape, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t && shape.equals(t.shape) && dtype == t.dtype
                && Arrays.equals(floats, t.floats) && Arrays.equals(ints, t.ints) && Arrays.equals(longs, t.longs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(shape, dtype, Arrays.hashCode(floats), Arrays.hashCode(ints), Arrays.hashCode(longs));
    }

    @Override
    public String toString() {
        return "HostTensor" + shape + " " + dtype;
    }
}
