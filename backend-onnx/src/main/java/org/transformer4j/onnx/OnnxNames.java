package org.transformer4j.onnx;

/**
 * The names the exported graphs and their files use, shared by the exporter and the serving side: file names,
 * graph inputs and outputs, and the metadata keys that carry the config and tokenizer so that one
 * {@code .onnx} file serves alone.
 *
 * <p>Token ids and masks are int64 (as Hugging Face's ONNX exports); activations and key/value caches float32.
 * Dynamic axes: {@code batch}, {@code seq} (new tokens), {@code past_seq} (cached positions, may be 0),
 * {@code total_seq} ({@code past_seq + seq}) and {@code src_seq} (source tokens).
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

    /** Metadata key: the model's config.json text. */
    public static final String META_CONFIG = "transformer4j.config";
    /** Metadata key: the tokenizer.json text (absent when exported without a tokenizer). */
    public static final String META_TOKENIZER = "transformer4j.tokenizer";
    /** Metadata key: which graph the file holds, one of {@code gpt}, {@code encoder}, {@code decoder}. */
    public static final String META_GRAPH = "transformer4j.graph";
    /** Metadata key: the version of this layout of inputs and outputs. */
    public static final String META_FORMAT = "transformer4j.format";
    /**
     * The current value of {@link #META_FORMAT}: {@code 2}, which added the GPT's {@link #POSITION_IDS} input.
     * Encoder and decoder files of format {@code 1} have the same layout and are still read; a GPT file of format
     * {@code 1} (positions derived from the past length, so no ragged batches) is refused with a message to export
     * it again.
     */
    public static final String FORMAT_VERSION = "2";

    /** True when this release serves a {@code graph} file ({@code gpt}, {@code encoder}, {@code decoder}) of {@code format}. */
    static boolean readable(String graph, String format) {
        return FORMAT_VERSION.equals(format) || ("1".equals(format) && !"gpt".equals(graph));
    }

    private OnnxNames() {
    }

    /**
     * Input: cached keys of layer {@code layer}'s self-attention, float32 {@code [batch, past_seq, C]}.
     *
     * @param layer the decoder layer, from 0
     * @return the graph's name for that tensor
     */
    public static String pastKey(int layer) {
        return "past." + layer + ".key";
    }

    /**
     * Input: cached values of layer {@code layer}'s self-attention, float32 {@code [batch, past_seq, C]}.
     *
     * @param layer the decoder layer, from 0
     * @return the graph's name for that tensor
     */
    public static String pastValue(int layer) {
        return "past." + layer + ".value";
    }

    /**
     * Output: keys of layer {@code layer} over past and new positions, float32 {@code [batch, total_seq, C]}.
     *
     * @param layer the decoder layer, from 0
     * @return the graph's name for that tensor
     */
    public static String presentKey(int layer) {
        return "present." + layer + ".key";
    }

    /**
     * Output: values of layer {@code layer} over past and new positions, float32 {@code [batch, total_seq, C]}.
     *
     * @param layer the decoder layer, from 0
     * @return the graph's name for that tensor
     */
    public static String presentValue(int layer) {
        return "present." + layer + ".value";
    }
}
