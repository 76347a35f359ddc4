package org.transformer4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.transformer4j.generate.CacheRows;
import org.transformer4j.generate.Seq2SeqCache;
import org.transformer4j.generate.Seq2SeqRuntime;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.tokenizer.Tokenizers;

/**
 * An exported encoder-decoder ({@code encoder.onnx} and {@code decoder.onnx}) served by ONNX Runtime: the
 * {@link Seq2SeqRuntime} of the onnx backend. {@link #encode} (or {@link #encoderOutput}) once per source batch, then {@link #decode} the
 * target, whole or incrementally with an {@link OnnxKvCache}. The exported decoder takes the encoder output at every
 * run (it recomputes the cross-attention keys and values), so the runtime's cache keeps the output and reorders its
 * rows with the self-attention cache. Thread-safe, as {@link OnnxModel}; close it when done.
 */
public final class OnnxSeq2SeqModel implements Seq2SeqRuntime, AutoCloseable {
    private final Path dir;
    private final OrtSession encoder;
    private final OrtSession decoder;
    private final Seq2SeqConfig config;
    private final String tokenizerJson;

    private OnnxSeq2SeqModel(Path dir, OrtSession encoder, OrtSession decoder, Seq2SeqConfig config, String tokenizerJson) {
        this.dir = dir;
        this.encoder = encoder;
        this.decoder = decoder;
        this.config = config;
        this.tokenizerJson = tokenizerJson;
    }

    /**
     * Opens {@code dir}'s {@code encoder.onnx} and {@code decoder.onnx} on the CPU.
     *
     * @param dir the exported directory
     * @return the model; the caller closes it
     * @throws java.io.IOException if a file cannot be read or ONNX Runtime refuses it
     */
    public static OnnxSeq2SeqModel open(Path dir) throws IOException {
        return open(dir, OnnxOptions.defaults());
    }

    /**
     * Opens {@code dir}'s {@code encoder.onnx} and {@code decoder.onnx} with {@code options}.
     *
     * @param dir the exported directory
     * @param options the device and threads
     * @return the model; the caller closes it
     * @throws java.io.IOException if a file cannot be read or ONNX Runtime refuses it
     */
    public static OnnxSeq2SeqModel open(Path dir, OnnxOptions options) throws IOException {
        OnnxSessions.Opened enc = OnnxSessions.open(dir.resolve(OnnxNames.ENCODER_FILE), options, "encoder");
        OnnxSessions.Opened dec;
        try {
            dec = OnnxSessions.open(dir.resolve(OnnxNames.DECODER_FILE), options, "decoder");
        } catch (IOException | RuntimeException e) {
            closeAll(e, enc.session());
            throw e;
        }
        if (!(enc.config() instanceof Seq2SeqConfig s2s) || !enc.config().equals(dec.config())) {
            CheckpointFormatException e = new CheckpointFormatException(dir, OnnxNames.ENCODER_FILE + " and "
                    + OnnxNames.DECODER_FILE + " must hold the same encoder-decoder config; they hold "
                    + enc.config().modelType() + " and " + dec.config().modelType() + " configs that differ: export them together");
            closeAll(e, enc.session(), dec.session());
            throw e;
        }
        return new OnnxSeq2SeqModel(dir, enc.session(), dec.session(), s2s, dec.tokenizerJson());
    }

    /** The model's architecture, read from the files' metadata. */
    public Seq2SeqConfig config() {
        return config;
    }

    /**
     * The tokenizer stored in the files, if they were exported with one.
     *
     * @return the tokenizer, or empty when the export carried none
     */
    public Optional<Tokenizer> tokenizer() {
        return tokenizerJson == null ? Optional.empty()
                : Optional.of(Tokenizers.fromJson(tokenizerJson, dir + " metadata " + OnnxNames.META_TOKENIZER));
    }

    /**
     * An empty decoder cache for {@code batch} rows.
     *
     * @param batch the number of rows
     * @return the cache, empty
     */
    public OnnxKvCache newCache(int batch) {
        return new OnnxKvCache(this, config.decoderLayers(), config.heads(), config.headDim(), batch);
    }

    @Override
    public Seq2SeqCache encode(int[][] srcIds, int[][] srcMask) {
        HostTensor memory = encoderOutput(srcIds, srcMask);
        return new Cache(this, memory, srcMask == null ? null : copy(srcMask), newCache(srcIds.length));
    }

    @Override
    public float[] decode(Seq2SeqCache cache, int[][] tgtIds, boolean lastOnly) {
        if (!(cache instanceof Cache c) || c.model != this) {
            throw new IllegalArgumentException("the cache " + cache + " was not made by this model's encode");
        }
        float[] all = decode(tgtIds, c.memory, c.mask, c.kv).floats();
        return lastOnly ? CacheRows.lastPositions(all, tgtIds.length, tgtIds[0].length, config.vocabSize()) : all;
    }

    private static int[][] copy(int[][] m) {
        int[][] out = new int[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }

    /** The encoder output {@code [B, S, C]}, the source mask and the decoder's self-attention cache. */
    private static final class Cache implements Seq2SeqCache {
        private final OnnxSeq2SeqModel model;
        private final OnnxKvCache kv;
        private HostTensor memory;
        private int[][] mask;

        Cache(OnnxSeq2SeqModel model, HostTensor memory, int[][] mask, OnnxKvCache kv) {
            this.model = model;
            this.memory = memory;
            this.mask = mask;
            this.kv = kv;
        }

        @Override
        public int rows() {
            return kv.rows();
        }

        @Override
        public int length() {
            return kv.length();
        }

        @Override
        public void selectRows(int[] rows) {
            kv.selectRows(rows);
            Shape shape = memory.shape();
            memory = HostTensor.ofFloats(Shape.of(rows.length, shape.dim(1), shape.dim(2)),
                    CacheRows.select(memory.floats(), shape.dim(1) * shape.dim(2), rows));
            if (mask != null) {
                int[][] next = new int[rows.length][];
                for (int i = 0; i < rows.length; i++) {
                    next[i] = mask[rows[i]].clone();
                }
                mask = next;
            }
        }

        @Override
        public void close() {
            kv.close();
            memory = null;
        }

        @Override
        public String toString() {
            return "OnnxSeq2SeqModel.Cache[rows " + kv.rows() + ", length " + kv.length() + "]";
        }
    }

    /**
     * The encoder output {@code [B, S, C]} of source ids {@code [B, S]} and their mask (1 real token, 0 padding;
     * null: no padding).
     *
     * @param srcIds source token ids {@code [B, S]}
     * @param srcMask 1 for a real token, 0 for padding; null for none
     * @return the encoder output, a new tensor
     */
    public HostTensor encoderOutput(int[][] srcIds, int[][] srcMask) {
        int s = OnnxInputs.width("src_ids", srcIds);
        int b = srcIds.length;
        OnnxInputs.checkIds("src_ids", srcIds, config.vocabSize());
        checkMask(srcMask, b, s);
        checkContext(0, s);
        int c = config.embeddingDim();
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(OnnxNames.SRC_IDS, OnnxModel.add(owned, OnnxInputs.longs(srcIds, s)));
            inputs.put(OnnxNames.SRC_MASK, OnnxModel.add(owned, mask(srcMask, b, s)));
            try (OrtSession.Result r = encoder.run(inputs)) {
                return HostTensor.ofFloats(Shape.of(b, s, c), OnnxModel.floats(r, OnnxNames.MEMORY, b * s * c));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed running " + dir.resolve(OnnxNames.ENCODER_FILE) + ": "
                    + e.getMessage(), e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    /**
     * Decoder logits {@code [B, T, V]} of target ids {@code [B, T]} given the encoder output. With a cache, the ids
     * continue after the cached positions and the cache grows by T; with null, positions start at 0.
     *
     * @param tgtIds target token ids {@code [B, T]}
     * @param memory the encoder output {@code [B, S, C]}
     * @param srcMask the source mask of the encoder output; null for none
     * @param cache the decoder cache, or null
     * @return the logits, a new tensor
     */
    public HostTensor decode(int[][] tgtIds, HostTensor memory, int[][] srcMask, OnnxKvCache cache) {
        int t = OnnxInputs.width("tgt_ids", tgtIds);
        int b = tgtIds.length;
        OnnxInputs.checkIds("tgt_ids", tgtIds, config.vocabSize());
        int c = config.embeddingDim();
        Objects.requireNonNull(memory, "memory");
        if (memory.shape().rank() != 3 || memory.shape().dim(0) != b || memory.shape().dim(2) != c) {
            throw new IllegalArgumentException("memory " + memory.shape() + " must be [" + b + ", S, " + c
                    + "] (the encoder output of the same batch)");
        }
        int s = memory.shape().dim(1);
        checkMask(srcMask, b, s);
        int past = cache == null ? 0 : cache.length();
        if (cache != null && cache.batch() != b) {
            throw new IllegalArgumentException("tgt_ids has " + b + " rows but the cache belongs to a batch of " + cache.batch());
        }
        checkContext(past, t);
        int vocab = config.vocabSize();
        List<OnnxTensor> owned = new ArrayList<>();
        OnnxKvCache kv = cache != null ? cache : newCache(b);
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(OnnxNames.TGT_IDS, OnnxModel.add(owned, OnnxInputs.longs(tgtIds, t)));
            inputs.put(OnnxNames.MEMORY, OnnxModel.add(owned, OnnxTensor.createTensor(OnnxSessions.environment(),
                    FloatBuffer.wrap(memory.floats()), new long[] {b, s, c})));
            inputs.put(OnnxNames.SRC_MASK, OnnxModel.add(owned, mask(srcMask, b, s)));
            kv.addPast(inputs, owned);
            OrtSession.Result result = decoder.run(inputs);
            try {
                float[] logits = OnnxModel.floats(result, OnnxNames.LOGITS, b * t * vocab);
                if (cache != null) {
                    cache.advance(result, t);
                    result = null;
                }
                return HostTensor.ofFloats(Shape.of(b, t, vocab), logits);
            } finally {
                if (result != null) {
                    result.close();
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed running " + dir.resolve(OnnxNames.DECODER_FILE) + ": "
                    + e.getMessage(), e);
        } finally {
            owned.forEach(OnnxTensor::close);
            if (cache == null) {
                kv.close();
            }
        }
    }

    private void checkContext(int past, int t) {
        if (past + t > config.contextLength()) {
            throw new IllegalArgumentException("positions " + past + ".." + (past + t - 1) + " exceed the model's context "
                    + "length " + config.contextLength() + "; shorten the input");
        }
    }

    private static void checkMask(int[][] mask, int b, int s) {
        if (mask != null && (mask.length != b || OnnxInputs.width("src_mask", mask) != s)) {
            throw new IllegalArgumentException("src_mask must be [" + b + ", " + s + "] like the source, but is ["
                    + mask.length + ", " + mask[0].length + "]");
        }
    }

    private static OnnxTensor mask(int[][] mask, int b, int s) throws OrtException {
        return mask == null ? OnnxInputs.ones(b, s) : OnnxInputs.longs(mask, s);
    }

    private static void closeAll(Exception cause, OrtSession... sessions) {
        for (OrtSession s : sessions) {
            try {
                s.close();
            } catch (OrtException e) {
                cause.addSuppressed(e);
            }
        }
    }

    @Override
    public void close() {
        IllegalStateException failure = new IllegalStateException("ONNX Runtime failed closing " + dir);
        closeAll(failure, encoder, decoder);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }
}
