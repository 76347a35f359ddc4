package org.transformer4j.tensorflow;

import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/** Copies between host arrays and native TensorFlow tensors, and shape conversions. */
final class TfTensors {
    private TfTensors() {
    }

    static org.tensorflow.ndarray.Shape shape(Shape s) {
        int[] d = s.toArray();
        long[] l = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            l[i] = d[i];
        }
        return org.tensorflow.ndarray.Shape.of(l);
    }

    static Shape shape(org.tensorflow.ndarray.Shape s) {
        int[] d = new int[s.numDimensions()];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.toIntExact(s.get(i));
        }
        return Shape.of(d);
    }

    /** A new native tensor of a host tensor's values (float32 or int32; int64 ids become int32); close it. */
    static org.tensorflow.Tensor upload(HostTensor h) {
        org.tensorflow.ndarray.Shape s = shape(h.shape());
        return switch (h.dtype()) {
            case FLOAT32 -> TFloat32.tensorOf(s, DataBuffers.of(h.floats(), true, false));
            case INT32 -> TInt32.tensorOf(s, DataBuffers.of(h.ints(), true, false));
            case INT64 -> TInt32.tensorOf(s, DataBuffers.of(h.toIntArray(), true, false));
        };
    }

    static float[] floats(TFloat32 t) {
        float[] out = new float[Math.toIntExact(t.shape().size())];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
    }

    static int[] ints(TInt32 t) {
        int[] out = new int[Math.toIntExact(t.shape().size())];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
    }

    /** A host copy of a native float32 tensor. */
    static HostTensor host(TFloat32 t) {
        return HostTensor.ofFloats(shape(t.shape()), floats(t));
    }
}
