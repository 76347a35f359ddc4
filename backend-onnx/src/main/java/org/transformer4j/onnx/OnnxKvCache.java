package org.transformer4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transformer4j.generate.CacheRows;
import org.transformer4j.generate.GptCache;

/**
 * The self-attention keys and values of an exported decoder ({@code model.onnx} or {@code decoder.onnx}) for one
 * batch, kept between runs for incremental decoding: each run feeds them as {@code past_key_values.N.*}
 * ({@code [batch, heads, positions, head_dim]}) and they become that run's {@code present.N.*}, held in ONNX
 * Runtime's memory without copies. Owned by one thread at a time; close
 * it to free the native tensors.
 */
public final class OnnxKvCache implements GptCache {
    private final Object owner;
    private final int layers;
    private final int heads;
    private final int headDim;
    private int batch;
    private int length;
    /** The past tensors by input name ({@code past_key_values.N.key}...); empty while nothing is cached. */
    private final Map<String, OnnxTensor> past = new LinkedHashMap<>();
    /** What owns the past tensors: the run's result, or the tensors themselves after {@link #selectRows}. */
    private AutoCloseable tensorsOwner;
    private boolean closed;

    /**
     * @param heads   key/value heads of each cached tensor ({@code num_key_value_heads} for grouped-query attention)
     * @param headDim width of one head
     */
    OnnxKvCache(Object owner, int layers, int heads, int headDim, int batch) {
        this.owner = owner;
        if (batch <= 0) {
            throw new IllegalArgumentException("a cache needs a batch of at least 1 row, was " + batch);
        }
        this.layers = layers;
        this.heads = heads;
        this.headDim = headDim;
        this.batch = batch;
    }

    /** Positions processed so far. */
    public int length() {
        return length;
    }

    /**
     * Rows of the batch this cache belongs to.
     *
     * @return the batch size, fixed when the cache was made
     */
    public int batch() {
        return batch;
    }

    @Override
    public int rows() {
        return batch;
    }

    /** True when this cache was made by {@code model}. */
    boolean belongsTo(Object model) {
        return owner == model;
    }

    /** Adds the {@code past.N.*} inputs; empty past tensors it creates go to {@code owned} for the caller to close. */
    void addPast(Map<String, OnnxTensor> inputs, List<OnnxTensor> owned) throws OrtException {
        requireOpen();
        if (!past.isEmpty()) {
            inputs.putAll(past);
            return;
        }
        long[] shape = {batch, heads, 0, headDim};
        for (int i = 0; i < layers; i++) {
            for (String name : new String[] {OnnxNames.pastKey(i), OnnxNames.pastValue(i)}) {
                OnnxTensor empty = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.allocate(0), shape);
                owned.add(empty);
                inputs.put(name, empty);
            }
        }
    }

    /** Takes a run's result (holding the presents) as the new cache, {@code added} positions longer. */
    void advance(OrtSession.Result result, int added) {
        requireOpen();
        Map<String, OnnxTensor> next = new LinkedHashMap<>();
        for (int i = 0; i < layers; i++) {
            next.put(OnnxNames.pastKey(i), present(result, OnnxNames.presentKey(i)));
            next.put(OnnxNames.pastValue(i), present(result, OnnxNames.presentValue(i)));
        }
        replace(next, result);
        length += added;
    }

    private static OnnxTensor present(OrtSession.Result result, String name) {
        OnnxValue v = result.get(name).orElseThrow(() -> new IllegalStateException(
                "the graph gave no output '" + name + "'; was the file exported by this release?"));
        return (OnnxTensor) v;
    }

    /**
     * Makes row {@code i} of the cache a copy of row {@code rows[i]} (rows may repeat or be left out), so the batch
     * becomes {@code rows.length} rows: what beam search does after picking its best continuations.
     */
    public void selectRows(int[] rows) {
        requireOpen();
        if (rows.length == 0) {
            throw new IllegalArgumentException("selectRows: no rows given; a cache keeps at least one row");
        }
        for (int r : rows) {
            if (r < 0 || r >= batch) {
                throw new IllegalArgumentException("selectRows: row " + r + " is outside the batch [0, " + batch + ")");
            }
        }
        if (org.transformer4j.generate.Sessions.isIdentity(rows, batch)) {
            return;
        }
        if (past.isEmpty()) {
            batch = rows.length;
            return;
        }
        int rowSize = heads * length * headDim;
        Map<String, OnnxTensor> next = new LinkedHashMap<>();
        List<OnnxTensor> created = new ArrayList<>();
        try {
            for (var e : past.entrySet()) {
                FloatBuffer src = e.getValue().getFloatBuffer();
                float[] out = new float[rows.length * rowSize];
                for (int i = 0; i < rows.length; i++) {
                    src.get(rows[i] * rowSize, out, i * rowSize, rowSize);
                }
                OnnxTensor t = OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.wrap(out),
                        new long[] {rows.length, heads, length, headDim});
                created.add(t);
                next.put(e.getKey(), t);
            }
        } catch (OrtException e) {
            created.forEach(OnnxTensor::close);
            throw new IllegalStateException("ONNX Runtime failed copying the cache rows: " + e.getMessage(), e);
        }
        replace(next, () -> created.forEach(OnnxTensor::close));
        batch = rows.length;
    }

    @Override
    public void append(GptCache other) {
        requireOpen();
        if (!(other instanceof OnnxKvCache o) || o.owner != owner || o.layers != layers || o.heads != heads
                || o.headDim != headDim) {
            throw new IllegalArgumentException("append: the cache " + other + " was not made by this model's newCache");
        }
        if (o == this) {
            throw new IllegalArgumentException("a cache cannot be appended to itself");
        }
        o.requireOpen();
        int lengthA = length;
        int lengthB = o.length;
        int joined = Math.max(lengthA, lengthB);
        if (joined > 0) {
            Map<String, OnnxTensor> next = new LinkedHashMap<>();
            List<OnnxTensor> created = new ArrayList<>();
            try {
                for (String name : names()) {
                    float[] a = lengthA == 0 ? null : floats(past.get(name));
                    float[] b = lengthB == 0 ? null : floats(o.past.get(name));
                    float[] out = CacheRows.appendPadded(a, batch, lengthA, b, o.batch, lengthB, heads, headDim);
                    OnnxTensor t = tensor(out, batch + o.batch, joined);
                    created.add(t);
                    next.put(name, t);
                }
            } catch (OrtException e) {
                created.forEach(OnnxTensor::close);
                throw new IllegalStateException("ONNX Runtime failed joining two caches: " + e.getMessage(), e);
            }
            replace(next, () -> created.forEach(OnnxTensor::close));
        }
        batch += o.batch;
        length = joined;
        o.close();
    }

    @Override
    public void dropFirst(int columns) {
        requireOpen();
        CacheRows.checkDrop(columns, length);
        if (columns == 0) {
            return;
        }
        if (columns == length) {
            replace(new LinkedHashMap<>(), null);
            length = 0;
            return;
        }
        int kept = length - columns;
        Map<String, OnnxTensor> next = new LinkedHashMap<>();
        List<OnnxTensor> created = new ArrayList<>();
        try {
            for (var e : past.entrySet()) {
                float[] out = CacheRows.dropFirst(floats(e.getValue()), batch, length, columns, heads, headDim);
                OnnxTensor t = tensor(out, batch, kept);
                created.add(t);
                next.put(e.getKey(), t);
            }
        } catch (OrtException e) {
            created.forEach(OnnxTensor::close);
            throw new IllegalStateException("ONNX Runtime failed trimming the cache: " + e.getMessage(), e);
        }
        replace(next, () -> created.forEach(OnnxTensor::close));
        length = kept;
    }

    private List<String> names() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            names.add(OnnxNames.pastKey(i));
            names.add(OnnxNames.pastValue(i));
        }
        return names;
    }

    private static float[] floats(OnnxTensor t) {
        FloatBuffer buf = t.getFloatBuffer();
        float[] out = new float[buf.remaining()];
        buf.get(out);
        return out;
    }

    /** A past tensor {@code [rows, heads, positions, headDim]}. */
    private OnnxTensor tensor(float[] data, int rows, int positions) throws OrtException {
        long[] shape = {rows, heads, positions, headDim};
        return OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.wrap(data), shape);
    }

    private void replace(Map<String, OnnxTensor> next, AutoCloseable nextOwner) {
        AutoCloseable old = tensorsOwner;
        past.clear();
        past.putAll(next);
        tensorsOwner = nextOwner;
        closeOwner(old);
    }

    private static void closeOwner(AutoCloseable o) {
        if (o == null) {
            return;
        }
        try {
            o.close();
        } catch (Exception e) {
            throw new IllegalStateException("ONNX Runtime failed freeing cache tensors: " + e.getMessage(), e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this OnnxKvCache is closed; start a new one with newCache()");
        }
    }

    @Override
    public String toString() {
        return "OnnxKvCache[rows " + batch + ", length " + length + "]";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        past.clear();
        AutoCloseable o = tensorsOwner;
        tensorsOwner = null;
        closeOwner(o);
    }
}
