package org.transformer4j.model;

import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.Tensor;

/**
 * A decoder-only model that generates through a key/value cache: {@link GptModel} and {@link LlamaModel}. It is what
 * {@link org.transformer4j.generate.OpsGptRuntime} runs, so that both architectures share one runtime, one cache and
 * one set of generation loops.
 */
public interface DecoderModel extends TrainableModel {

    /** {@return the architecture} */
    ModelConfig config();

    /** {@return a fresh, empty cache: one self-attention cache per layer} */
    KvCache newCache();

    /**
     * Floats per row and position in one layer's cached keys (and values), laid out {@code [B, T, kvWidth]}: the
     * embedding width for a GPT, {@code num_key_value_heads · head_dim} for grouped-query attention.
     *
     * @return the cached width per position
     */
    int kvWidth();

    /**
     * Logits for token ids {@code [B, T]} at explicit per-row positions, growing {@code cache} by T.
     *
     * @param ops         the backend's ops
     * @param p           the weights
     * @param ids         int32 token ids {@code [B, T]}, T at least 1
     * @param positionIds int32 {@code [B, T]}, each in {@code [0, contextLength)}; or null for the positions following
     *                    the cache, the same for every row
     * @param cache       the key/value cache, grown by T; or null
     * @param keyMask     int32 {@code [B, cached + T]} (1 real token, 0 padding), or null when no row is padded
     * @param lastOnly    run the final norm and the output head on the last position only: logits {@code [B, 1, V]}
     *                    instead of {@code [B, T, V]}
     * @return logits {@code [B, T, V]}, or {@code [B, 1, V]} with {@code lastOnly}
     */
    Tensor logits(Ops ops, Parameters p, Tensor ids, Tensor positionIds, KvCache cache, Tensor keyMask,
            boolean lastOnly);
}
