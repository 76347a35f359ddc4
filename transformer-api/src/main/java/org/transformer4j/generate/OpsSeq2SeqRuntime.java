package org.transformer4j.generate;

import java.util.Objects;
import org.transformer4j.model.KvCache;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The {@link Seq2SeqRuntime} of every backend that runs the {@link Ops} composition: {@link Seq2SeqModel} on
 * inference ops with loaded weights. The cross-attention keys and values of the encoder output are computed on the
 * first decode and then live in the cache's {@link KvCache}. The weights stay the caller's to close.
 */
public final class OpsSeq2SeqRuntime implements Seq2SeqRuntime {
    private final Seq2SeqModel model;
    private final Ops ops;
    private final Parameters weights;

    /**
     * Runs {@code model} with {@code weights} on {@code ops} (inference ops).
     *
     * @param model the encoder-decoder
     * @param ops inference ops of the engine that holds the weights
     * @param weights the loaded weights
     */
    public OpsSeq2SeqRuntime(Seq2SeqModel model, Ops ops, Parameters weights) {
        this.model = Objects.requireNonNull(model, "model");
        this.ops = Objects.requireNonNull(ops, "ops");
        this.weights = Objects.requireNonNull(weights, "weights");
    }

    /**
     * The model this runtime runs.
     *
     * @return the model
     */
    public Seq2SeqModel model() {
        return model;
    }

    @Override
    public Seq2SeqConfig config() {
        return model.config();
    }

    @Override
    public Seq2SeqCache encode(int[][] srcIds, int[][] srcMask) {
        int rows = Inputs.rows("srcIds", srcIds);
        int s = Inputs.width("srcIds", srcIds);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < s; j++) {
                if (srcIds[r][j] < 0 || srcIds[r][j] >= vocabSize()) {
                    throw new IllegalArgumentException("srcIds: token " + srcIds[r][j] + " at [" + r + ", " + j
                            + "] is outside the vocabulary [0, " + vocabSize() + ")");
                }
            }
        }
        if (s > contextLength()) {
            throw new IllegalArgumentException("the source has " + s + " tokens but the model's context is "
                    + contextLength() + "; shorten it or crop it to the last " + contextLength() + " tokens");
        }
        if (srcMask != null) {
            Inputs.requireShape("srcMask", srcMask, rows, s);
        }
        Tensor mask = srcMask == null ? null : ops.constant(Inputs.matrix(srcMask));
        try (Tensor src = ops.constant(Inputs.matrix(srcIds))) {
            Tensor memory = model.encode(ops, weights, src, mask);
            return new Cache(this, memory, mask, rows);
        } catch (RuntimeException e) {
            if (mask != null) {
                mask.close();
            }
            throw e;
        }
    }

    @Override
    public float[] decode(Seq2SeqCache cache, int[][] tgtIds, boolean lastOnly) {
        if (!(cache instanceof Cache c) || c.runtime != this) {
            throw new IllegalArgumentException("the cache " + cache + " was not made by this runtime's encode");
        }
        c.requireOpen();
        int rows = Inputs.rows("tgtIds", tgtIds);
        int t = Inputs.width("tgtIds", tgtIds);
        if (rows != c.rows) {
            throw new IllegalArgumentException("tgtIds has " + rows + " rows but the cache holds " + c.rows);
        }
        if (c.length() + t > contextLength()) {
            throw new IllegalArgumentException("target positions " + c.length() + ".." + (c.length() + t - 1)
                    + " exceed the model's context length " + contextLength());
        }
        try (Tensor in = ops.constant(Inputs.matrix(tgtIds));
             Tensor logits = model.decode(ops, weights, in, c.memory, c.mask, c.kv)) {
            float[] all = logits.toFloatArray();
            c.length += t;
            return lastOnly ? CacheRows.lastPositions(all, rows, t, vocabSize()) : all;
        }
    }

    /** The encoder output, its mask and the decoder's {@link KvCache}. */
    private static final class Cache implements Seq2SeqCache {
        private final OpsSeq2SeqRuntime runtime;
        private final KvCache kv;
        private Tensor memory;
        private Tensor mask;
        private int rows;
        private int length;
        private boolean closed;

        Cache(OpsSeq2SeqRuntime runtime, Tensor memory, Tensor mask, int rows) {
            this.runtime = runtime;
            this.kv = runtime.model.newCache();
            this.memory = memory;
            this.mask = mask;
            this.rows = rows;
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public void selectRows(int[] selected) {
            requireOpen();
            CacheRows.checkRows(selected, rows);
            if (Sessions.isIdentity(selected, rows)) {
                return;
            }
            kv.selectRows(runtime.ops, selected);
            Shape s = memory.shape();
            float[] m = CacheRows.select(memory.toFloatArray(), s.dim(1) * s.dim(2), selected);
            Tensor newMemory = runtime.ops.constant(HostTensor.ofFloats(Shape.of(selected.length, s.dim(1), s.dim(2)), m));
            memory.close();
            memory = newMemory;
            if (mask != null) {
                int w = mask.shape().dim(1);
                int[] from = mask.toIntArray();
                int[] to = new int[selected.length * w];
                for (int i = 0; i < selected.length; i++) {
                    System.arraycopy(from, selected[i] * w, to, i * w, w);
                }
                Tensor newMask = runtime.ops.constant(HostTensor.ofInts(Shape.of(selected.length, w), to));
                mask.close();
                mask = newMask;
            }
            rows = selected.length;
        }

        void requireOpen() {
            if (closed) {
                throw new IllegalStateException("this cache is closed; encode the source again");
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                kv.close();
                memory.close();
                if (mask != null) {
                    mask.close();
                }
            }
        }

        @Override
        public String toString() {
            return "OpsSeq2SeqRuntime.Cache[rows " + rows + ", length " + length + "]";
        }
    }
}
