package org.transformer4j.generate;

import java.util.Objects;
import org.transformer4j.model.DecoderModel;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.model.KvCache;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.nn.layers.AttentionCache;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The {@link GptRuntime} of every backend that runs the {@link org.transformer4j.nn.Ops} composition (cpu,
 * tensorflow): a {@link DecoderModel} ({@link GptModel}, or {@link org.transformer4j.model.LlamaModel} with rotary
 * positions and grouped-query attention) on inference ops with loaded weights. Its caches hold one {@link KvCache}
 * each, {@code [rows, length, kvWidth]} per layer (for grouped-query attention only the key/value heads); row
 * selection, joining and trimming go through the host ({@link CacheRows}), one copy of the cache per call. Thread-safe
 * as far as the ops are: each call works on its own cache. The weights stay the caller's to close.
 */
public final class OpsGptRuntime implements GptRuntime {
    private final DecoderModel model;
    private final Ops ops;
    private final Parameters weights;

    /**
     * Runs {@code model} with {@code weights} on {@code ops} (inference ops: no gradients, no dropout).
     *
     * @param model the decoder (a GPT or a Llama-family model)
     * @param ops inference ops of the engine that holds the weights
     * @param weights the loaded weights
     */
    public OpsGptRuntime(DecoderModel model, Ops ops, Parameters weights) {
        this.model = Objects.requireNonNull(model, "model");
        this.ops = Objects.requireNonNull(ops, "ops");
        this.weights = Objects.requireNonNull(weights, "weights");
    }

    /**
     * The model this runtime runs.
     *
     * @return the model
     */
    public DecoderModel model() {
        return model;
    }

    @Override
    public ModelConfig config() {
        return model.config();
    }

    @Override
    public GptCache newCache(int rows) {
        if (rows <= 0) {
            throw new IllegalArgumentException("a cache needs at least 1 row, was " + rows);
        }
        return new Cache(this, rows);
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code positions} may also be null: then every row continues at {@code cache.length()}.
     */
    @Override
    public float[] forward(GptCache cache, int[][] ids, int[][] positions, int[][] mask, boolean lastOnly) {
        Cache c = own(cache);
        int rows = Inputs.rows("ids", ids);
        if (rows != c.rows) {
            throw new IllegalArgumentException("ids has " + rows + " rows but the cache holds " + c.rows);
        }
        int t = Inputs.width("ids", ids);
        if (positions != null) {
            Inputs.requireShape("positions", positions, rows, t);
        } else if (c.length() + t > config().contextLength()) {
            throw new IllegalArgumentException("positions " + c.length() + ".." + (c.length() + t - 1)
                    + " exceed the model's context length " + config().contextLength()
                    + "; shorten the input or crop it to the last " + config().contextLength() + " tokens");
        }
        if (mask != null) {
            Inputs.requireShape("mask", mask, rows, c.length() + t);
        }
        Tensor keyMask = mask == null ? null : ops.constant(Inputs.matrix(mask));
        Tensor pos = positions == null ? null : ops.constant(Inputs.matrix(positions));
        try (Tensor in = ops.constant(Inputs.matrix(ids));
             Tensor logits = model.logits(ops, weights, in, pos, c.kv, keyMask, lastOnly)) {
            return logits.toFloatArray();
        } finally {
            if (keyMask != null) {
                keyMask.close();
            }
            if (pos != null) {
                pos.close();
            }
        }
    }

    private Cache own(GptCache cache) {
        if (!(cache instanceof Cache c) || c.runtime != this) {
            throw new IllegalArgumentException("the cache " + cache + " was not made by this runtime's newCache(rows)");
        }
        c.requireOpen();
        return c;
    }

    /** A {@link KvCache} with its row count (known before the first forward). */
    private static final class Cache implements GptCache {
        private final OpsGptRuntime runtime;
        private final KvCache kv;
        private int rows;
        private boolean closed;

        Cache(OpsGptRuntime runtime, int rows) {
            this.runtime = runtime;
            this.kv = runtime.model.newCache();
            this.rows = rows;
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int length() {
            return kv.length();
        }

        @Override
        public void selectRows(int[] selected) {
            requireOpen();
            CacheRows.checkRows(selected, rows);
            if (!Sessions.isIdentity(selected, rows)) {
                kv.selectRows(runtime.ops, selected);
            }
            rows = selected.length;
        }

        @Override
        public void append(GptCache other) {
            requireOpen();
            Cache o = runtime.own(other);
            if (o == this) {
                throw new IllegalArgumentException("a cache cannot be appended to itself");
            }
            int la = length();
            int lb = o.length();
            int c = runtime.model.kvWidth();
            for (int layer = 0; layer < kv.layers(); layer++) {
                AttentionCache a = kv.self(layer);
                AttentionCache b = o.kv.self(layer);
                if (la + lb > 0) {
                    a.set(join(a.keys(), la, b.keys(), lb, o.rows, c), join(a.values(), la, b.values(), lb, o.rows, c));
                }
            }
            rows += o.rows;
            o.close();
        }

        private Tensor join(Tensor a, int la, Tensor b, int lb, int rowsB, int c) {
            float[] joined = CacheRows.appendPadded(a == null ? null : a.toFloatArray(), rows, la,
                    b == null ? null : b.toFloatArray(), rowsB, lb, 1, c);
            return runtime.ops.constant(HostTensor.ofFloats(Shape.of(rows + rowsB, Math.max(la, lb), c), joined));
        }

        @Override
        public void dropFirst(int columns) {
            requireOpen();
            int length = length();
            CacheRows.checkDrop(columns, length);
            if (columns == 0) {
                return;
            }
            int c = runtime.model.kvWidth();
            for (int layer = 0; layer < kv.layers(); layer++) {
                AttentionCache a = kv.self(layer);
                if (columns == length) {
                    a.set(null, null);
                } else {
                    a.set(trim(a.keys(), length, columns, c), trim(a.values(), length, columns, c));
                }
            }
        }

        private Tensor trim(Tensor t, int length, int columns, int c) {
            float[] kept = CacheRows.dropFirst(t.toFloatArray(), rows, length, columns, 1, c);
            return runtime.ops.constant(HostTensor.ofFloats(Shape.of(rows, length - columns, c), kept));
        }

        void requireOpen() {
            if (closed) {
                throw new IllegalStateException("this cache is closed; start a new one with newCache(rows)");
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                kv.close();
            }
        }

        @Override
        public String toString() {
            return "OpsGptRuntime.Cache[rows " + rows + ", length " + length() + "]";
        }
    }
}
