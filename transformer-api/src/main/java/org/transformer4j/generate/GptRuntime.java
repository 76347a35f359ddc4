package org.transformer4j.generate;

import org.transformer4j.model.ModelConfig;

/**
 * The one thing a runtime implements so that a decoder-only model (a GPT, or a Llama-family model) can generate: a forward pass that appends
 * to a key/value cache. Implemented once over the {@link org.transformer4j.nn.Ops} composition (any training backend's
 * inference ops) and once over ONNX Runtime; every generation loop (greedy and sampled decoding, batches of prompts,
 * beam search, a server's continuous batching) is written once on top of it.
 *
 * <p>Rows of one cache all have the same {@link GptCache#length() length}; rows whose history is shorter are
 * left-padded, and the caller says which positions are padding with a mask and where each token sits with explicit
 * positions. Calls on different caches may run concurrently; one cache is used by one thread at a time.
 */
public interface GptRuntime {

    /**
     * The architecture this runtime runs.
     *
     * @return a {@link org.transformer4j.model.GptConfig} or a {@link org.transformer4j.model.LlamaConfig}
     */
    ModelConfig config();

    /**
     * Number of token ids: the length of one row of logits.
     *
     * @return V
     */
    default int vocabSize() {
        return config().vocabSize();
    }

    /**
     * {@code runtime} with logits for ids {@code 0..ids-1} only, or {@code runtime} itself when its vocabulary is not
     * larger. For a tokenizer that knows fewer ids than the model's embedding has rows (vocabularies padded to a
     * multiple, as Qwen2's 151,936 rows for 151,665 tokens, or a model trained with a smaller tokenizer): every loop
     * on top samples, scores and accepts prompt ids among those the tokenizer can decode, as if the logits of the
     * others were minus infinity.
     *
     * @param runtime the runtime to limit
     * @param ids     how many ids, from 0, stay
     * @return the limited runtime
     * @throws IllegalArgumentException if {@code ids < 1}
     */
    static GptRuntime limitVocabulary(GptRuntime runtime, int ids) {
        if (ids < 1) {
            throw new IllegalArgumentException("a vocabulary limit must be at least 1 id, was " + ids);
        }
        if (ids >= runtime.vocabSize()) {
            return runtime;
        }
        return new VocabularyLimit(runtime instanceof VocabularyLimit v ? v.runtime() : runtime, ids);
    }

    /**
     * The model's context length: the largest position plus one.
     *
     * @return the context length
     */
    default int contextLength() {
        return config().contextLength();
    }

    /**
     * An empty cache for {@code rows} rows; close it to free it.
     *
     * @param rows the batch size
     * @return an empty cache
     */
    GptCache newCache(int rows);

    /**
     * Runs tokens {@code ids [rows, T]} after the positions already in {@code cache} and appends their keys and values
     * to it.
     *
     * @param positions the position of each token {@code [rows, T]}, each below {@link #contextLength()}
     * @param mask      {@code [rows, cache.length() + T]} over the cached and the new positions, 1 for a real token and
     *                  0 for padding; or null when no row is padded
     * @param lastOnly  return only the logits of the last of the {@code T} positions of each row
     * @param cache the cache of this batch; grows by T
     * @param ids the new token ids {@code [rows, T]}
     * @return the logits, row-major: {@code [rows, T, V]}, or {@code [rows, V]} when {@code lastOnly}
     * @throws IllegalArgumentException naming the problem for an id outside the vocabulary, a position outside the
     *                                  context, or shapes that do not match the cache
     */
    float[] forward(GptCache cache, int[][] ids, int[][] positions, int[][] mask, boolean lastOnly);
}
