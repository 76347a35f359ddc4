package org.transformer4j.model;

/**
 * The architecture of a model, as stored in a model directory's {@code config.json}: a
 * {@link GptConfig} (decoder-only), a {@link Seq2SeqConfig} (encoder-decoder) or a {@link LlamaConfig} (the Llama
 * family's decoders, in Hugging Face's config.json). Read and write with {@link ModelConfigJson}.
 */
public sealed interface ModelConfig permits GptConfig, Seq2SeqConfig, LlamaConfig {

    /**
     * {@code "gpt"}, {@code "seq2seq"}, or a Llama family's HF type: the {@code model_type} field of config.json.
     *
     * @return the type
     */
    String modelType();

    /**
     * Number of token ids, special tokens included.
     *
     * @return V
     */
    int vocabSize();

    /**
     * The longest sequence the model accepts (positions table size).
     *
     * @return the context length, in tokens
     */
    int contextLength();

    /**
     * Attention heads per layer (query heads, for grouped-query attention).
     *
     * @return the head count
     */
    int heads();

    /**
     * The model width: the size of each token's vector.
     *
     * @return C
     */
    int embeddingDim();

    /**
     * The inner width of each feed-forward network.
     *
     * @return the hidden size
     */
    int feedForwardDim();

    /**
     * The dropout probability during training.
     *
     * @return a probability in [0, 1)
     */
    float dropout();

    /**
     * Whether the linear layers and norms have biases.
     *
     * @return true with biases
     */
    boolean bias();

    /**
     * Whether the output layer shares the token embedding's weights.
     *
     * @return true when tied
     */
    boolean tiedEmbeddings();

    /**
     * The epsilon every normalization adds: config.json's {@code layer_norm_eps} (GPT, seq2seq, Hugging Face GPT-2's
     * {@code layer_norm_epsilon}), or the Llama family's {@code rms_norm_eps}.
     *
     * @return the epsilon
     */
    float layerNormEps();

    /** PyTorch's and GPT-2's layer-norm epsilon, also what directories without {@code layer_norm_eps} get. */
    float DEFAULT_LAYER_NORM_EPS = 1e-5f;

    /**
     * Width of one attention head: {@code embeddingDim / heads}.
     *
     * @return the head width
     */
    default int headDim() {
        return embeddingDim() / heads();
    }
}
