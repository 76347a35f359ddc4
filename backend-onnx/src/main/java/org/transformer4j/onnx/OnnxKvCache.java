package org.transformer4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * The self-attention keys and values of an exported decoder ({@code model.onnx} or {@code decoder.onnx}) for one
 * batch, kept between runs for incremental decoding: each run feeds them as {@code past.N.*} and they become that
 * run's {@code present.N.*}, held in ONNX Runtime's memory without copies. Owned by one thread at a time; close
 * it to free the native tensors.
 */
public final class OnnxKvCache implements AutoCloseable {
    private final int layers;
    private final int dim;
    private final int batch;
    private int length;
    private OrtSession.Result presents;
    private boolean closed;

    OnnxKvCache(int layers, int dim, int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("a cache needs a batch of at least 1 row, was " + batch);
        }
        this.layers = layers;
        this.dim = dim;
        this.batch = batch;
    }

    /** Positions processed so far. */
    public int length() {
        return length;
    }

    /** Rows of the batch this cache belongs to. */
    public int batch() {
        return batch;
    }

    /** Adds the {@code past.N.*} inputs; empty past tensors it creates go to {@code owned} for the caller to close. */
    void addPast(Map<String, OnnxTensor> inputs, List<OnnxTensor> owned) throws OrtException {
        requireOpen();
        for (int i = 0; i < layers; i++) {
            if (presents == null) {
                long[] shape = {batch, 0, dim};
                OnnxTensor k = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.allocate(0), shape);
                owned.add(k);
                OnnxTensor v = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.allocate(0), shape);
                owned.add(v);
                inputs.put(OnnxNames.pastKey(i), k);
                inputs.put(OnnxNames.pastValue(i), v);
            } else {
                inputs.put(OnnxNames.pastKey(i), present(OnnxNames.presentKey(i)));
                inputs.put(OnnxNames.pastValue(i), present(OnnxNames.presentValue(i)));
            }
        }
    }

    private OnnxTensor present(String name) {
        OnnxValue v = presents.get(name).orElseThrow(() -> new IllegalStateException(
                "the graph gave no output '" + name + "'; was the file exported by this release?"));
        return (OnnxTensor) v;
    }

    /** Takes a run's result (holding the presents) as the new cache, {@code added} positions longer. */
    void advance(OrtSession.Result result, int added) {
        requireOpen();
        OrtSession.Result old = presents;
        presents = result;
        length += added;
        if (old != null) {
            old.close();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this OnnxKvCache is closed; start a new one with newCache()");
        }
    }

    @Override
    public void close() {
        closed = true;
        if (presents != null) {
            presents.close();
            presents = null;
        }
    }
}
