package org.transformer4j.tensorflow;

import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * A concrete tensor of the TensorFlow backend's inference ops. Activations live on the Java heap (the result of each
 * op is copied out of TensorFlow and its native tensor closed at once), so a model composition that never closes its
 * intermediate tensors cannot leak native memory. Loaded weights are the exception: they stay in one native
 * TensorFlow tensor each, uploaded once, fed to every op without a copy, and freed when their
 * {@link TfWeights} closes.
 */
final class TfValue implements Tensor {
    private final Shape shape;
    private final DType dtype;
    private final float[] floats;
    private final int[] ints;
    private volatile TFloat32 nativeWeight;

    private TfValue(Shape shape, DType dtype, float[] floats, int[] ints, TFloat32 nativeWeight) {
        this.shape = shape;
        this.dtype = dtype;
        this.floats = floats;
        this.ints = ints;
        this.nativeWeight = nativeWeight;
    }

    static TfValue ofFloats(Shape shape, float[] data) {
        return new TfValue(shape, DType.FLOAT32, data, null, null);
    }

    static TfValue ofInts(Shape shape, int[] data) {
        return new TfValue(shape, DType.INT32, null, data, null);
    }

    /** A weight uploaded into a native TensorFlow tensor, owned by the returned value until {@link #free()}. */
    static TfValue nativeWeight(HostTensor host) {
        float[] v = host.toFloat32().floats();
        TFloat32 t = TFloat32.tensorOf(TfTensors.shape(host.shape()), DataBuffers.of(v, true, false));
        return new TfValue(host.shape(), DType.FLOAT32, null, null, t);
    }

    /** The values as a new native tensor the caller must close, or the weight's own tensor ({@code owned} false). */
    org.tensorflow.Tensor toNative() {
        TFloat32 w = nativeWeight;
        if (floats == null && ints == null) {
            if (w == null) {
                throw new IllegalStateException("the weight " + shape + " was freed: its LoadedWeights is closed; load the"
                        + " weights again");
            }
            return w;
        }
        org.tensorflow.ndarray.Shape s = TfTensors.shape(shape);
        return dtype == DType.FLOAT32 ? TFloat32.tensorOf(s, DataBuffers.of(floats, true, false))
                : TInt32.tensorOf(s, DataBuffers.of(ints, true, false));
    }

    /** True when {@link #toNative()} returns a tensor this value keeps owning (a loaded weight). */
    boolean isNativeWeight() {
        return floats == null && ints == null;
    }

    /** Host ints without a copy (read-only); null for float tensors. */
    int[] hostInts() {
        return ints;
    }

    /** Frees a loaded weight's native tensor; later use fails with a message. */
    void free() {
        TFloat32 w = nativeWeight;
        nativeWeight = null;
        if (w != null) {
            w.close();
        }
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public float[] toFloatArray() {
        if (dtype != DType.FLOAT32) {
            throw new IllegalStateException("tensor " + shape + " is " + dtype + ", not FLOAT32");
        }
        if (floats != null) {
            return floats.clone();
        }
        TFloat32 w = nativeWeight;
        if (w == null) {
            throw new IllegalStateException("the weight " + shape + " was freed: its LoadedWeights is closed");
        }
        return TfTensors.floats(w);
    }

    @Override
    public int[] toIntArray() {
        if (ints == null) {
            throw new IllegalStateException("tensor " + shape + " is " + dtype + ", not INT32");
        }
        return ints.clone();
    }

    @Override
    public String toString() {
        return "TfValue" + shape + " " + dtype;
    }
}
