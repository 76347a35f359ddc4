package org.transformer4j.onnx;

/**
 * The names the exported graphs and their files use, shared by the exporter and the serving side: file names,
 * graph inputs and outputs, and the metadata keys that carry the config and tokenizer so that one
 * {@code .onnx} file serves alone.
 *
 * <p>The GPT graph's inputs and outputs are Hugging Face Optimum's for a decoder with past (its
 * {@code TextDecoderWithPositionIdsOnnxConfig} with {@code use_past}): {@code input_ids}, {@code attention_mask},
 * {@code position_ids}, {@code past_key_values.N.key|value}, {@code logits}, {@code present.N.key|value}, with the
 * same element types, ranks and dynamic axes, so other ONNX Runtime clients run our exports and we serve theirs.
 * Token ids, positions and masks are int64; activations and key/value caches float32. Caches are laid out
 * {@code [batch, kv_heads, positions, head_dim]} ({@code kv_heads} is the model's heads, or
 * {@code num_key_value_heads} for grouped-query attention). Dynamic axes: {@link #BATCH}, {@link #SEQUENCE} (new
 * tokens), {@link #PAST} (cached positions, may be 0), {@link #TOTAL} (past plus new) and {@code src_seq} (source
 * tokens of an encoder-decoder).
 */
public final class OnnxNames {
    /** The GPT's graph file in a model directory. */
    public static final String MODEL_FILE = "model.onnx";
    /** The encoder-decoder's encoder graph file. */
    public static final String ENCODER_FILE = "encoder.onnx";
    /** The encoder-decoder's decoder graph file. */
    public static final String DECODER_FILE = "decoder.onnx";

    /** GPT: token ids int64 {@code [batch, seq]}, the positions after the past ones. */
    public static final String INPUT_IDS = "input_ids";
    /**
     * GPT: int64 {@code [batch, seq]}, the position of each new token in {@code [0, context)}; rows of a left-padded
     * batch start their first real token at 0, so prompts of different lengths batch together (format 2 on).
     */
    public static final String POSITION_IDS = "position_ids";
    /** GPT: int64 {@code [batch, total_seq]}, 1 for a real token and 0 for padding, over past and new positions. */
    public static final String ATTENTION_MASK = "attention_mask";
    /** Encoder: source token ids int64 {@code [batch, src_seq]}. */
    public static final String SRC_IDS = "src_ids";
    /** Encoder and decoder: int64 {@code [batch, src_seq]}, 1 for a real source token and 0 for padding. */
    public static final String SRC_MASK = "src_mask";
    /** Decoder: target token ids int64 {@code [batch, seq]}, the positions after the past ones. */
    public static final String TGT_IDS = "tgt_ids";
    /** Encoder output and decoder input: float32 {@code [batch, src_seq, C]}. */
    public static final String MEMORY = "memory";
    /** GPT and decoder output: float32 {@code [batch, seq, vocab]}. */
    public static final String LOGITS = "logits";

    /** Dynamic axis: rows of a batch. */
    public static final String BATCH = "batch_size";
    /** Dynamic axis: new tokens of a run. */
    public static final String SEQUENCE = "sequence_length";
    /** Dynamic axis: cached positions (0 for a prompt). */
    public static final String PAST = "past_sequence_length";
    /** Dynamic axis: cached plus new positions. */
    public static final String TOTAL = "past_sequence_length + sequence_length";

    /** Metadata key: the model's config.json text. */
    public static final String META_CONFIG = "transformer4j.config";
    /** Metadata key: the tokenizer.json text (absent when exported without a tokenizer). */
    public static final String META_TOKENIZER = "transformer4j.tokenizer";
    /** Metadata key: which graph the file holds, one of {@code gpt}, {@code encoder}, {@code decoder}. */
    public static final String META_GRAPH = "transformer4j.graph";
    /** Metadata key: the version of this layout of inputs and outputs. */
    public static final String META_FORMAT = "transformer4j.format";
    /**
     * The current value of {@link #META_FORMAT}: {@code 3}, whose GPT and decoder graphs name their caches as
     * Optimum does ({@code past_key_values.N.key}) and lay them out {@code [batch, kv_heads, positions, head_dim]}
     * (format 2 had {@code past.N.key [batch, positions, C]}, format 1 no {@code position_ids} either). A GPT or
     * decoder file of an older format is refused with a message to export it again; encoder files, unchanged since
     * format 1, are still read.
     */
    public static final String FORMAT_VERSION = "3";

    /** True when this release serves a {@code graph} file ({@code gpt}, {@code encoder}, {@code decoder}) of {@code format}. */
    static boolean readable(String graph, String format) {
        return FORMAT_VERSION.equals(format) || ("encoder".equals(graph) && ("1".equals(format) || "2".equals(format)));
    }

    private OnnxNames() {
    }

    /**
     * Input: cached keys of layer {@code layer}'s self-attention, float32 {@code [batch, kv_heads, past, head_dim]}.
     *
     * @param layer the decoder layer, from 0
     * @return the graph's name for that tensor
     */
    public static String pastKey(int layer) {
        return "past_key_values." + layer + ".key";
    }

    /**
     * Input: cached values of layer {@code layer}'s self-attention, float32 {@code [batch, kv_heads, past, head_dim]}.
     *
     * @param layer the decoder layer, from 0
     * @return the graph's name for that tensor
     */
    public static String pastValue(int layer) {
        return "past_key_values." + layer + ".value";
    }

    /**
     * Output: keys of layer {@code layer} over past and new positions, float32 {@code [batch, kv_heads, total, head_dim]}.
     *
     * @param layer the decoder layer, from 0
     * @return the graph's name for that tensor
     */
    public static String presentKey(int layer) {
        return "present." + layer + ".key";
    }

    /**
     * Output: values of layer {@code layer} over past and new positions, float32 {@code [batch, kv_heads, total, head_dim]}.
     *
     * @param layer the decoder layer, from 0
     * @return the graph's name for that tensor
     */
    public static String presentValue(int layer) {
        return "present." + layer + ".value";
    }
}
