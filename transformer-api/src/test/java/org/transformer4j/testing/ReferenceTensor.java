package org.transformer4j.testing;

import java.util.Objects;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.ShapeMismatchException;
import org.transformer4j.tensor.Tensor;

/** The reference backend's tensor: a shape and a private copy of float32 or int32 values on the heap. */
public final class ReferenceTensor implements Tensor {
    private final Shape shape;
    private final float[] floats;
    private final int[] ints;

    private ReferenceTensor(Shape shape, float[] floats, int[] ints) {
        this.shape = Objects.requireNonNull(shape, "shape");
        this.floats = floats;
        this.ints = ints;
        int n = floats != null ? floats.length : ints.length;
        if (n != shape.size()) {
            throw new ShapeMismatchException("ReferenceTensor: shape " + shape + " needs " + shape.size()
                    + " elements but " + n + " were given");
        }
    }

    /** A float32 tensor over {@code values} (kept, not copied: callers hand over ownership). */
    public static ReferenceTensor ofFloats(Shape shape, float[] values) {
        return new ReferenceTensor(shape, Objects.requireNonNull(values, "values"), null);
    }

    /** An int32 tensor over {@code values} (kept, not copied). */
    public static ReferenceTensor ofInts(Shape shape, int[] values) {
        return new ReferenceTensor(shape, null, Objects.requireNonNull(values, "values"));
    }

    /** A copy of a host tensor; int64 values are converted to int32 (failing if one does not fit). */
    public static ReferenceTensor copyOf(HostTensor host) {
        return host.dtype() == DType.FLOAT32 ? ofFloats(host.shape(), host.toFloatArray())
                : ofInts(host.shape(), host.toIntArray());
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return floats != null ? DType.FLOAT32 : DType.INT32;
    }

    @Override
    public float[] toFloatArray() {
        if (floats == null) {
            throw new IllegalStateException("tensor " + shape + " is INT32, not FLOAT32: use toIntArray()");
        }
        return floats.clone();
    }

    @Override
    public int[] toIntArray() {
        if (ints == null) {
            throw new IllegalStateException("tensor " + shape + " is FLOAT32, not INT32: use toFloatArray()");
        }
        return ints.clone();
    }

    @Override
    public String toString() {
        return "ReferenceTensor" + shape + " " + dtype();
    }
}
