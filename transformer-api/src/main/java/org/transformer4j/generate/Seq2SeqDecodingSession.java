package org.transformer4j.generate;

import org.transformer4j.model.KvCache;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * A {@link DecodingSession} of an encoder-decoder translating one source (already checked): {@link #start()}
 * encodes the source once and decodes BOS; the cross-attention keys and values of the encoder output are computed
 * on that first step and then live in the cache, which {@link #selectRows} reorders with the self-attention cache.
 */
final class Seq2SeqDecodingSession implements DecodingSession {
    private final Seq2SeqModel model;
    private final Ops ops;
    private final Parameters weights;
    private final int[] source;
    private final int bos;
    private final KvCache cache;
    private Tensor memory;
    private int batch = 1;

    Seq2SeqDecodingSession(Seq2SeqModel model, Ops ops, Parameters weights, int[] source, int bos) {
        this.model = model;
        this.ops = ops;
        this.weights = weights;
        this.source = source.clone();
        this.bos = bos;
        this.cache = model.newCache();
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public int maxNewTokens() {
        return model.config().contextLength();
    }

    @Override
    public float[] start() {
        if (memory != null) {
            throw new IllegalStateException("start() was already called on this decoding session");
        }
        try (Tensor src = ops.constant(HostTensor.ofInts(Shape.of(1, source.length), source))) {
            memory = model.encode(ops, weights, src, null);
        }
        return decode(new int[] {bos});
    }

    @Override
    public float[] step(int[] tokens) {
        if (memory == null) {
            throw new IllegalStateException("call start() before step()");
        }
        if (tokens.length != batch) {
            throw new IllegalArgumentException("step: " + tokens.length + " tokens given for a batch of " + batch + " rows");
        }
        return decode(tokens);
    }

    @Override
    public void selectRows(int[] rows) {
        if (!Sessions.isIdentity(rows, batch)) {
            cache.selectRows(ops, rows);
        }
        batch = rows.length;
    }

    /** Decodes one token per row; the memory is only read on the first call (later the cross cache holds it). */
    private float[] decode(int[] tokens) {
        try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(tokens.length, 1), tokens));
             Tensor logits = model.decode(ops, weights, in, memory, null, cache)) {
            return logits.toFloatArray();
        }
    }

    @Override
    public void close() {
        cache.close();
        if (memory != null) {
            memory.close();
        }
    }
}
