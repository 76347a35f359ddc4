package org.transformer4j.cpu;

import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * A tensor of the CPU backend: a heap array (float32 values or int32 ids) plus, for tensors that take
 * part in training, a gradient buffer of the same size that backward passes add into.
 */
final class CpuTensor implements Tensor {
    final Shape shape;
    final float[] data;
    final int[] ids;
    final boolean requiresGrad;
    /** Where the gradient buffer comes from (an intermediate of a training pass), or null (a parameter's own). */
    private final StepArena arena;
    float[] grad;

    private CpuTensor(Shape shape, float[] data, int[] ids, boolean requiresGrad, StepArena arena) {
        this.shape = shape;
        this.data = data;
        this.ids = ids;
        this.requiresGrad = requiresGrad;
        this.arena = arena;
    }

    static CpuTensor floats(Shape shape, float[] data, boolean requiresGrad) {
        return floats(shape, data, requiresGrad, null);
    }

    /** A float tensor whose gradient buffer, if one is needed, is taken from {@code arena} (null: allocated). */
    static CpuTensor floats(Shape shape, float[] data, boolean requiresGrad, StepArena arena) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size() + " values, got " + data.length);
        }
        return new CpuTensor(shape, data, null, requiresGrad, arena);
    }

    static CpuTensor ints(Shape shape, int[] ids) {
        if (ids.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size() + " ids, got " + ids.length);
        }
        return new CpuTensor(shape, null, ids, false, null);
    }

    /** The gradient buffer, allocated (zeros) on first use. */
    float[] grad() {
        if (grad == null) {
            grad = arena == null ? new float[data.length] : arena.floats(data.length);
        }
        return grad;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return data != null ? DType.FLOAT32 : DType.INT32;
    }

    @Override
    public float[] toFloatArray() {
        if (data == null) {
            throw new IllegalStateException("tensor " + shape + " holds int32 ids, not float32 values");
        }
        return data.clone();
    }

    @Override
    public int[] toIntArray() {
        if (ids == null) {
            throw new IllegalStateException("tensor " + shape + " holds float32 values, not int32 ids");
        }
        return ids.clone();
    }

    @Override
    public String toString() {
        return "CpuTensor" + shape + " " + dtype();
    }
}
