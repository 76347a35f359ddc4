package org.transformer4j.model;

/**
 * The architecture of a model, as stored in a model directory's {@code config.json}: a
 * {@link GptConfig} (decoder-only) or a {@link Seq2SeqConfig} (encoder-decoder). Read and write with
 * {@link ModelConfigJson}.
 */
public sealed interface ModelConfig permits GptConfig, Seq2SeqConfig {

    /** {@code "gpt"} or {@code "seq2seq"}: the {@code model_type} field of config.json. */
    String modelType();

    int vocabSize();

    /** The longest sequence the model accepts (positions table size). */
    int contextLength();

    int heads();

    int embeddingDim();

    int feedForwardDim();

    float dropout();

    boolean bias();

    boolean tiedEmbeddings();

    PositionalEncodingType positionalEncoding();

    NormPlacement normPlacement();

    Activation activation();

    /** The epsilon every layer norm adds to the variance: config.json's {@code layer_norm_eps}. */
    float layerNormEps();

    /** PyTorch's and GPT-2's layer-norm epsilon, also what directories without {@code layer_norm_eps} get. */
    float DEFAULT_LAYER_NORM_EPS = 1e-5f;

    /** Width of one attention head: {@code embeddingDim / heads}. */
    default int headDim() {
        return embeddingDim() / heads();
    }
}
