package org.transformer4j.tensorflow;

import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The TensorFlow backend's inference ops: graph mode, one op at a time. Each call validates in Java, then runs the
 * op's small compiled graph ({@link TfKernels}) on its inputs and copies the result back to the heap; loaded weights
 * are fed from their native tensors without a copy. This keeps every native tensor's life inside one call (the model
 * composition never closes its intermediate tensors) at the cost of one copy of each activation per op. Thread-safe.
 */
final class TfInferenceOps extends TfOpsBase {
    private final TfKernels kernels;

    TfInferenceOps(TfKernels kernels) {
        this.kernels = kernels;
    }

    @Override
    public boolean training() {
        return false;
    }

    @Override
    public Tensor constant(HostTensor value) {
        return switch (value.dtype()) {
            case FLOAT32 -> TfValue.ofFloats(value.shape(), value.floats());
            case INT32 -> TfValue.ofInts(value.shape(), value.ints());
            case INT64 -> TfValue.ofInts(value.shape(), value.toIntArray());
        };
    }

    @Override
    protected Tensor[] run(String key, Builder builder, Shape[] outShapes, DType outType, Tensor... inputs) {
        return kernels.run(key, builder, outShapes, outType, inputs);
    }

    @Override
    protected void requireIdsBelow(String op, String what, Tensor ids, int bound, Integer ignoreIndex) {
        checkIds(op, what, ((TfValue) ids).hostInts(), ids.shape(), bound, ignoreIndex);
    }

    @Override
    protected void requireOwn(String op, String what, Tensor t) {
        if (!(t instanceof TfValue)) {
            throw new IllegalArgumentException(op + ": " + what + " is a " + t.getClass().getSimpleName()
                    + ", not a tensor of the tensorflow backend's inference ops; upload it with ops.constant(...)");
        }
    }
}
