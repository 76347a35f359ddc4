package org.transformer4j.cli;

import java.util.Locale;

/**
 * Every setting of a {@code train} run, model and optimisation, as one value: the named presets are the
 * defaults and each command-line option overrides one field.
 *
 * <ul>
 *   <li>{@code shakespeare-char} (the default for {@code --task gpt}): nanoGPT's shakespeare-char recipe at a
 *       size that trains in minutes on a laptop (4 layers × 4 heads × 128, context 64, batch 12, pre-LN,
 *       learned positions, GELU, lr 1e-3 with 100 warm-up steps, 2000 steps).</li>
 *   <li>{@code dates} (the default for {@code --task seq2seq}): the paper's encoder-decoder (post-LN,
 *       sinusoidal positions, ReLU) sized for the date-translation task; it reaches at least 99% exact match
 *       on held-out dates with greedy decoding (see the examples README for the measured run).</li>
 * </ul>
 *
 * @param encoderLayers      GPT: its layers; seq2seq: encoder blocks
 * @param decoderLayers      seq2seq decoder blocks (ignored for the GPT)
 * @param contextLength      context length; for seq2seq a minimum, raised to the longest sequence of the data
 *                           (48 for dates: the longest source the date generator writes)
 * @param feedForwardDim     feed-forward width; 0 = 4 × embedding
 */
record TrainRecipe(String task, int encoderLayers, int decoderLayers, int heads, int embeddingDim, int feedForwardDim,
                   int contextLength, int batchSize, float dropout, boolean bias, boolean untied, String positions,
                   String norm, String activation, int steps, float lr, float minLr, int warmup, float weightDecay,
                   float beta2, float gradClip, int evalInterval, int evalBatches, int checkpointInterval) {

    static final String GPT = "gpt";
    static final String SEQ2SEQ = "seq2seq";

    static final TrainRecipe SHAKESPEARE_CHAR = new TrainRecipe(GPT, 4, 0, 4, 128, 0, 64, 12, 0.0f, false, false,
            "learned", "pre", "gelu", 2000, 1e-3f, 1e-4f, 100, 0.1f, 0.99f, 1.0f, 250, 200, 500);

    static final TrainRecipe DATES = new TrainRecipe(SEQ2SEQ, 2, 2, 4, 64, 0, 48, 64, 0.0f, true, false,
            "sinusoidal", "post", "relu", 2000, 2e-3f, 1e-4f, 100, 0.01f, 0.98f, 1.0f, 500, 20, 1000);

    /** The preset called {@code name} ({@code shakespeare-char} or {@code dates}). */
    static TrainRecipe preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "shakespeare-char", "shakespeare" -> SHAKESPEARE_CHAR;
            case "dates" -> DATES;
            default -> throw new IllegalArgumentException("--preset must be shakespeare-char or dates, was " + name);
        };
    }

    /** The default preset of a task ({@code gpt} or {@code seq2seq}). */
    static TrainRecipe forTask(String task) {
        return switch (task.toLowerCase(Locale.ROOT)) {
            case GPT -> SHAKESPEARE_CHAR;
            case SEQ2SEQ -> DATES;
            default -> throw new IllegalArgumentException("--task must be gpt or seq2seq, was " + task);
        };
    }
}
