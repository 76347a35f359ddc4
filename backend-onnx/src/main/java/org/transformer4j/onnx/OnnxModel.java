package org.transformer4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.transformer4j.generate.CacheRows;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.tokenizer.Tokenizers;

/**
 * An exported decoder-only model ({@code model.onnx}: a GPT or a Llama-family model, exported by us or, with
 * Optimum's inputs and outputs and a config.json beside it, by another tool) served by ONNX Runtime: the
 * {@link GptRuntime} of the onnx backend, so every generation loop of the API ({@link org.transformer4j.generate.GptGenerator}, a server's continuous batching) runs on
 * it. ONNX serving runs the fixed exported graph, not the {@link org.transformer4j.nn.Ops} composition:
 * {@link #logits} runs whole sequences, {@link #forward} and {@link #step} run new tokens against an
 * {@link OnnxKvCache} (incremental decoding).
 *
 * <p>One {@link ai.onnxruntime.OrtSession} is created when the model opens and shared: the model is thread-safe,
 * any number of threads may run it at once, each with its own caches. Every native tensor and result is closed
 * after use. Close the model when done (not while other threads still run it).
 */
public final class OnnxModel implements GptRuntime, AutoCloseable {
    private final Path file;
    private final OrtSession session;
    private final ModelConfig config;
    private final CacheLayout cacheLayout;
    private final String tokenizerJson;

    private OnnxModel(Path file, OrtSession session, ModelConfig config, String tokenizerJson) {
        this.file = file;
        this.session = session;
        this.config = config;
        this.cacheLayout = CacheLayout.of(config);
        this.tokenizerJson = tokenizerJson;
    }

    /**
     * Opens {@code path} (a {@code model.onnx} file or a directory holding one) on the CPU.
     *
     * @param path a {@code model.onnx} file or a directory holding one
     * @return the model; the caller closes it
     * @throws java.io.IOException if the file cannot be read or ONNX Runtime refuses it
     */
    public static OnnxModel open(Path path) throws IOException {
        return open(path, OnnxOptions.defaults());
    }

    /**
     * Opens {@code path} (a {@code model.onnx} file or a directory holding one) with {@code options}.
     *
     * @param path a {@code model.onnx} file or a directory holding one
     * @param options the device and threads
     * @return the model; the caller closes it
     * @throws java.io.IOException if the file cannot be read or ONNX Runtime refuses it
     */
    public static OnnxModel open(Path path, OnnxOptions options) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(OnnxNames.MODEL_FILE) : path;
        OnnxSessions.Opened opened = OnnxSessions.open(file, options, "gpt");
        if (opened.config() instanceof Seq2SeqConfig) {
            close(opened.session());
            throw new CheckpointFormatException(file, "its config is a " + opened.config().modelType()
                    + " model, not a decoder-only one; open it with OnnxSeq2SeqModel");
        }
        return new OnnxModel(file, opened.session(), opened.config(), opened.tokenizerJson());
    }

    /**
     * The model's architecture: a {@link org.transformer4j.model.GptConfig} or a
     * {@link org.transformer4j.model.LlamaConfig}, read from the file's metadata (or, for a graph we did not write,
     * from the config.json beside it).
     */
    @Override
    public ModelConfig config() {
        return config;
    }

    /**
     * The tokenizer stored in the file, if it was exported with one.
     *
     * @return the tokenizer, or empty when the export carried none
     */
    public Optional<Tokenizer> tokenizer() {
        return tokenizerJson == null ? Optional.empty()
                : Optional.of(Tokenizers.fromJson(tokenizerJson, file + " metadata " + OnnxNames.META_TOKENIZER));
    }

    /**
     * The file this model runs.
     *
     * @return the {@code .onnx} file's path
     */
    public Path file() {
        return file;
    }

    /**
     * Logits {@code [B, T, V]} of token ids {@code [B, T]} (positions from 0, no padding).
     *
     * @param ids token ids, one row per sequence, all of one length
     * @return the logits, a new tensor
     */
    public HostTensor logits(int[][] ids) {
        return run(ids, null, null, null);
    }

    /**
     * Logits {@code [B, T, V]} of token ids {@code [B, T]} with an attention mask {@code [B, T]} (1 real token,
     * 0 padding: padded keys are not attended).
     *
     * @param ids token ids {@code [B, T]}
     * @param attentionMask 1 for a real token, 0 for padding, {@code [B, T]}
     * @return the logits, a new tensor
     */
    public HostTensor logits(int[][] ids, int[][] attentionMask) {
        return run(ids, null, attentionMask, null);
    }

    /**
     * Logits {@code [B, T, V]} of token ids {@code [B, T]} at explicit positions {@code [B, T]} (each in
     * {@code [0, context)}), with an attention mask {@code [B, T]} or null for none: a left-padded batch of prompts
     * of different lengths gives each row the logits of its prompt alone (at the real tokens).
     *
     * @param ids token ids {@code [B, T]}
     * @param positionIds the position of each token, {@code [B, T]}
     * @param attentionMask 1 for a real token, 0 for padding, {@code [B, T]}; null for none
     * @return the logits, a new tensor
     */
    public HostTensor logits(int[][] ids, int[][] positionIds, int[][] attentionMask) {
        return run(ids, java.util.Objects.requireNonNull(positionIds, "positionIds"), attentionMask, null);
    }

    /** An empty cache for incremental decoding of {@code batch} rows. */
    @Override
    public OnnxKvCache newCache(int batch) {
        return new OnnxKvCache(this, cacheLayout.layers(), cacheLayout.heads(), cacheLayout.headDim(), batch);
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code positions} may also be null: then every row continues at {@code cache.length()}. The graph computes
     * the logits of every position; with {@code lastOnly} only the last one's are copied out.
     */
    @Override
    public float[] forward(GptCache cache, int[][] ids, int[][] positions, int[][] mask, boolean lastOnly) {
        if (!(cache instanceof OnnxKvCache kv) || !kv.belongsTo(this)) {
            throw new IllegalArgumentException("the cache " + cache + " was not made by this model's newCache(rows)");
        }
        float[] all = run(ids, positions, mask, kv).floats();
        return lastOnly ? CacheRows.lastPositions(all, ids.length, ids[0].length, config.vocabSize()) : all;
    }

    /**
     * Runs token ids {@code [B, T]} at the positions after the cached ones and appends them to {@code cache}.
     *
     * @param ids the new token ids {@code [B, T]}
     * @param cache the cache of this batch, made by {@link #newCache}; grows by T
     * @return the logits {@code [B, T, V]} of the new positions
     */
    public HostTensor step(int[][] ids, OnnxKvCache cache) {
        return run(ids, null, null, java.util.Objects.requireNonNull(cache, "cache"));
    }

    /**
     * As {@link #step(int[][], OnnxKvCache)}, with an attention mask {@code [B, cache.length() + T]} over the cached
     * and the new positions.
     *
     * @param ids the new token ids {@code [B, T]}
     * @param attentionMask 1 for a real token, 0 for padding, {@code [B, cache.length() + T]}
     * @param cache the cache of this batch; grows by T
     * @return the logits {@code [B, T, V]} of the new positions
     */
    public HostTensor step(int[][] ids, int[][] attentionMask, OnnxKvCache cache) {
        return run(ids, null, attentionMask, java.util.Objects.requireNonNull(cache, "cache"));
    }

    /**
     * As {@link #step(int[][], int[][], OnnxKvCache)}, with explicit positions {@code [B, T]} of the new tokens
     * (each in {@code [0, context)}), so every row continues at its own position.
     *
     * @param ids the new token ids {@code [B, T]}
     * @param positionIds the position of each new token, {@code [B, T]}
     * @param attentionMask 1 for a real token, 0 for padding, {@code [B, cache.length() + T]}
     * @param cache the cache of this batch; grows by T
     * @return the logits {@code [B, T, V]} of the new positions
     */
    public HostTensor step(int[][] ids, int[][] positionIds, int[][] attentionMask, OnnxKvCache cache) {
        return run(ids, java.util.Objects.requireNonNull(positionIds, "positionIds"), attentionMask,
                java.util.Objects.requireNonNull(cache, "cache"));
    }

    /** Positions {@code past .. past + t - 1} for every row: what a batch without padding runs at. */
    private static int[][] following(int rows, int past, int t) {
        int[][] p = new int[rows][t];
        for (int[] row : p) {
            for (int j = 0; j < t; j++) {
                row[j] = past + j;
            }
        }
        return p;
    }

    private void checkPositions(int[][] positions, int b, int t) {
        int w = OnnxInputs.width("position_ids", positions);
        if (positions.length != b || w != t) {
            throw new IllegalArgumentException("position_ids is [" + positions.length + ", " + w + "] but must be [" + b
                    + ", " + t + "] like input_ids");
        }
        for (int r = 0; r < b; r++) {
            for (int j = 0; j < t; j++) {
                if (positions[r][j] < 0 || positions[r][j] >= config.contextLength()) {
                    throw new IllegalArgumentException("position_ids: position " + positions[r][j] + " at [" + r + ", "
                            + j + "] is outside the model's context [0, " + config.contextLength() + "); shorten the "
                            + "input or crop it to the last " + config.contextLength() + " tokens");
                }
            }
        }
    }

    private HostTensor run(int[][] ids, int[][] positions, int[][] mask, OnnxKvCache cache) {
        int t = OnnxInputs.width("input_ids", ids);
        int b = ids.length;
        OnnxInputs.checkIds("input_ids", ids, config.vocabSize());
        int past = cache == null ? 0 : cache.length();
        if (cache != null && cache.batch() != b) {
            throw new IllegalArgumentException("input_ids has " + b + " rows but the cache belongs to a batch of "
                    + cache.batch());
        }
        // with explicit positions the positions are checked instead: a padded batch's cache may be wider than the
        // context when its longest row has left the batch
        if (positions == null && past + t > config.contextLength()) {
            throw new IllegalArgumentException("positions " + past + ".." + (past + t - 1) + " exceed the model's context "
                    + "length " + config.contextLength() + "; shorten the input or crop it to the last "
                    + config.contextLength() + " tokens");
        }
        if (mask != null) {
            int w = OnnxInputs.width("attention_mask", mask);
            if (mask.length != b || w != past + t) {
                throw new IllegalArgumentException("attention_mask is [" + mask.length + ", " + w + "] but must be ["
                        + b + ", " + (past + t) + "] (cached plus new positions)");
            }
        }
        if (positions == null) {
            positions = following(b, past, t);
        } else {
            checkPositions(positions, b, t);
        }
        int vocab = config.vocabSize();
        List<OnnxTensor> owned = new ArrayList<>();
        OnnxKvCache kv = cache != null ? cache : newCache(b);
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(OnnxNames.INPUT_IDS, add(owned, OnnxInputs.longs(ids, t)));
            inputs.put(OnnxNames.POSITION_IDS, add(owned, OnnxInputs.longs(positions, t)));
            inputs.put(OnnxNames.ATTENTION_MASK, add(owned, mask == null ? OnnxInputs.ones(b, past + t)
                    : OnnxInputs.longs(mask, past + t)));
            kv.addPast(inputs, owned);
            OrtSession.Result result = session.run(inputs);
            try {
                float[] logits = floats(result, OnnxNames.LOGITS, b * t * vocab);
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
            throw new IllegalStateException("ONNX Runtime failed running " + file + ": " + e.getMessage(), e);
        } finally {
            owned.forEach(OnnxTensor::close);
            if (cache == null) {
                kv.close();
            }
        }
    }

    static OnnxTensor add(List<OnnxTensor> owned, OnnxTensor t) {
        owned.add(t);
        return t;
    }

    /** The float output {@code name} of {@code result}, checked to have {@code size} elements. */
    static float[] floats(OrtSession.Result result, String name, int size) {
        OnnxValue v = result.get(name).orElseThrow(() -> new IllegalStateException("the graph gave no output '" + name + "'"));
        var buf = ((OnnxTensor) v).getFloatBuffer();
        if (buf.remaining() != size) {
            throw new IllegalStateException("output '" + name + "' has " + buf.remaining() + " values, expected " + size);
        }
        float[] out = new float[size];
        buf.get(out);
        return out;
    }

    private static void close(OrtSession s) {
        try {
            s.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed closing a session: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        close(session);
    }
}
