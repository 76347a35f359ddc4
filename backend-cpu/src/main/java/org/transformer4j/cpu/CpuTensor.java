package org.transformer4j.cpu;

import org.transformer4j.cpu.kernel.Bf16;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * A tensor of the CPU backend: a heap array (float32 values or int32 ids) plus, for tensors that take
 * part in training, a gradient buffer of the same size: the first backward to write it sets it, later ones add into
 * it ({@link #gradUnwritten()}), so a pass never zeroes buffers it is about to overwrite.
 *
 * <p>Two inference-only layouts keep float32 values elsewhere, with {@link #data} null: a key/value cache
 * ({@link #time}: {@code [B, capacity, inner]} storage of which the shape's {@code T} positions are valid, so a step
 * appends in place) and a bfloat16 weight ({@link #bf16}). Ops that have no kernel for them read them through
 * {@link #dense()}, a float32 copy.
 */
final class CpuTensor implements Tensor {
    final Shape shape;
    /** Dense float32 values, or null for ids and for the two layouts below. */
    final float[] data;
    final int[] ids;
    /** The storage of a key/value cache view, or null. */
    final TimeBuffer time;
    /** An inference weight {@code [rows, k]} as bfloat16 pairs ({@link Bf16#encode}), or null. */
    final int[] bf16;
    final boolean requiresGrad;
    /** Where the gradient buffer comes from (an intermediate of a training pass), or null (a parameter's own). */
    private final StepArena arena;
    /** The gradient buffer, allocated on first use; its contents count only while {@link #gradCleared} is false. */
    private float[] grad;
    /** Set by {@link #clearGrad()}: the gradient is zero, whatever the buffer still holds. */
    private boolean gradCleared;
    /** Set by {@link #releaseGrad()}: the backward that reads this gradient has run, and it must not be used again. */
    private boolean gradReleased;

    private CpuTensor(Shape shape, float[] data, int[] ids, TimeBuffer time, int[] bf16, boolean requiresGrad,
                      StepArena arena) {
        this.shape = shape;
        this.data = data;
        this.ids = ids;
        this.time = time;
        this.bf16 = bf16;
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
        return new CpuTensor(shape, data, null, null, null, requiresGrad, arena);
    }

    static CpuTensor ints(Shape shape, int[] ids) {
        if (ids.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size() + " ids, got " + ids.length);
        }
        return new CpuTensor(shape, null, ids, null, null, false, null);
    }

    /** The first {@code length} positions of {@code buffer}, as a {@code [B, length, ...]} tensor. */
    static CpuTensor timeView(TimeBuffer buffer, Shape shape) {
        return new CpuTensor(shape, null, null, buffer, null, false, null);
    }

    /** An inference weight {@code [rows, k]} rounded to bfloat16. */
    static CpuTensor bf16(Shape shape, float[] values) {
        if (shape.rank() != 2 || values.length != shape.size()) {
            throw new IllegalArgumentException("a bfloat16 weight is a matrix of " + shape.size() + " values, got "
                    + shape + " with " + values.length);
        }
        return new CpuTensor(shape, null, null, null, Bf16.encode(values, shape.dim(0), shape.dim(1)), false, null);
    }

    /** This tensor with dense float32 values: itself, or a copy of a cache view or a bfloat16 weight. */
    CpuTensor dense() {
        if (data != null || ids != null) {
            return this;
        }
        return floats(shape, toFloatArray(), false);
    }

    /**
     * The gradient buffer for a backward that adds into it (or a reader): zeros until something is written. A
     * {@linkplain #clearGrad() cleared} buffer is zeroed here, on the caller; only parameters are cleared, and most of
     * theirs are set by their first writer instead (what still comes here: scatter-added ones such as an untied
     * embedding table, layer-norm scales, biases).
     */
    float[] grad() {
        requireNotReleased();
        if (grad == null) {
            grad = arena == null ? new float[data.length] : arena.floats(data.length);
        } else if (gradCleared) {
            java.util.Arrays.fill(grad, 0f);
        }
        gradCleared = false;
        return grad;
    }

    /**
     * Whether no backward has written this tensor's gradient since it was made or {@linkplain #clearGrad() cleared}.
     * The first one to do so may set it instead of adding into it (then {@link #gradToSet()} skips zeroing the
     * buffer): a training pass's intermediates mostly have one consumer, and zeroing their gradients cost as much
     * memory traffic as the element-wise kernels themselves.
     */
    boolean gradUnwritten() {
        return grad == null || gradCleared;
    }

    /**
     * The gradient buffer for a backward that writes every element of it when {@link #gradUnwritten()} was true just
     * before (then it comes unzeroed: what an earlier pass or step left there) and adds into it otherwise.
     */
    float[] gradToSet() {
        requireNotReleased();
        if (grad == null) {
            grad = arena == null ? new float[data.length] : arena.floatsForOverwrite(data.length);
        }
        gradCleared = false;
        return grad;
    }

    /** The gradient written so far, or null where none was (a reader that must not see a cleared buffer's bits). */
    float[] gradOrNull() {
        return gradUnwritten() ? null : grad;
    }

    /**
     * Gives the gradient buffer back to the pass's arena and forgets it: called by the {@link Tape} once the backward
     * of the op that produced this tensor has read it, when nothing will read it again (an intermediate's gradient
     * is only read by its producer's backward). The arena then hands the same, cache-warm array to a later gradient
     * of the pass. A buffer not taken from an arena is left to the garbage collector.
     */
    void releaseGrad() {
        if (grad != null && arena != null) {
            arena.giveBack(grad);
        }
        grad = null;
        gradCleared = false;
        gradReleased = true;
    }

    private void requireNotReleased() {
        if (gradReleased) {
            throw new IllegalStateException("the gradient of " + this + " was asked for after the backward of the op "
                    + "that produced it had run and released it; a backward recorded on the tape after that op's may "
                    + "only write the gradients of tensors made before it");
        }
    }

    /**
     * Makes the gradient zero in O(1): the buffer is kept but not rewritten; the next backward sets it, or zeroes it
     * before adding. (A parameter's gradient, cleared after every optimizer step.)
     */
    void clearGrad() {
        gradCleared = grad != null;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return ids != null ? DType.INT32 : DType.FLOAT32;
    }

    @Override
    public float[] toFloatArray() {
        if (data != null) {
            return data.clone();
        }
        if (time != null) {
            return time.copy(shape.dim(1));
        }
        if (bf16 != null) {
            return Bf16.decode(bf16, shape.dim(0), shape.dim(1));
        }
        throw new IllegalStateException("tensor " + shape + " holds int32 ids, not float32 values");
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
        return "CpuTensor" + shape + " " + dtype() + (time != null ? " (cache, capacity " + time.capacity + ")"
                : bf16 != null ? " (bf16)" : "");
    }
}
