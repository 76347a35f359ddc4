package org.transformer4j.onnx;

import java.util.Arrays;
import org.transformer4j.generate.DecodingSession;
import org.transformer4j.generate.Sessions;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * A {@link DecodingSession} of an exported encoder-decoder translating one source (already checked):
 * {@link #start()} runs {@code encoder.onnx} once and decodes BOS; each step runs {@code decoder.onnx} on one token
 * per row against the self-attention {@link OnnxKvCache}. The exported decoder takes the encoder output at every run
 * (it recomputes the cross-attention keys and values), so {@link #selectRows} reorders that output's rows along with
 * the cache.
 */
final class OnnxSeq2SeqSession implements DecodingSession {
    private final OnnxSeq2SeqModel model;
    private final int[] source;
    private final int bos;
    private final OnnxKvCache cache;
    /** The encoder output {@code [B, S, C]}, one copy per row of the batch; null before {@link #start()}. */
    private HostTensor memory;

    OnnxSeq2SeqSession(OnnxSeq2SeqModel model, int[] source, int bos) {
        this.model = model;
        this.source = source.clone();
        this.bos = bos;
        this.cache = model.newCache(1);
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
        memory = model.encode(new int[][] {source}, null);
        return model.decode(new int[][] {{bos}}, memory, null, cache).floats();
    }

    @Override
    public float[] step(int[] tokens) {
        if (memory == null) {
            throw new IllegalStateException("call start() before step()");
        }
        if (tokens.length != cache.batch()) {
            throw new IllegalArgumentException("step: " + tokens.length + " tokens given for a batch of " + cache.batch()
                    + " rows");
        }
        int[][] ids = new int[tokens.length][];
        for (int b = 0; b < tokens.length; b++) {
            ids[b] = new int[] {tokens[b]};
        }
        return model.decode(ids, memory, null, cache).floats();
    }

    @Override
    public void selectRows(int[] rows) {
        if (Sessions.isIdentity(rows, cache.batch())) {
            return;
        }
        cache.selectRows(rows);
        if (memory != null) {
            Shape shape = memory.shape();
            int rowSize = shape.dim(1) * shape.dim(2);
            float[] from = memory.floats();
            float[] to = new float[rows.length * rowSize];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(from, rows[i] * rowSize, to, i * rowSize, rowSize);
            }
            memory = HostTensor.ofFloats(Shape.of(rows.length, shape.dim(1), shape.dim(2)), to);
        }
    }

    @Override
    public void close() {
        cache.close();
        memory = null;
    }

    @Override
    public String toString() {
        return "OnnxSeq2SeqSession[source " + Arrays.toString(source) + ", batch " + cache.batch() + "]";
    }
}
