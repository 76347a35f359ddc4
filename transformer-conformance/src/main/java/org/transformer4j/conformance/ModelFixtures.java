package org.transformer4j.conformance;

import java.util.Map;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.data.Batch;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;

/**
 * The whole-model cases' choices of the shared fixture ({@link TinyModels}): its {@link TinyModels#ODD} sizes
 * (vocabulary 29, width 12 in 3 heads of 4, feed-forward 20, context 12, so that no backend can lean on powers of
 * two), both architectures in both layouts, {@link TinyModels#randomWeights} and the kit's seeded batches.
 */
final class ModelFixtures {
    static final int VOCAB = TinyModels.ODD.vocab();
    static final int CONTEXT = TinyModels.ODD.context();
    static final int WIDTH = TinyModels.ODD.width();
    static final int HEADS = TinyModels.ODD.heads();
    static final int FFN = TinyModels.ODD.feedForward();
    static final int IGNORE = TinyModels.IGNORE;

    private ModelFixtures() {
    }

    /** GPT-2 style: pre-LN, learned positions, GELU, biases, untied head. */
    static GptModel gptPreLn() {
        return new GptModel(TinyModels.gptPreLn(TinyModels.ODD).build());
    }

    /** The paper's choices in a GPT: post-LN, sinusoidal positions, ReLU, no biases, tied head. */
    static GptModel gptPostLn() {
        return new GptModel(TinyModels.gptPostLn(TinyModels.ODD).build());
    }

    /** The paper's encoder-decoder: post-LN, sinusoidal positions, ReLU, biases, tied head. */
    static Seq2SeqModel seq2seqPostLn() {
        return new Seq2SeqModel(TinyModels.seq2seqPostLn(TinyModels.ODD).build());
    }

    /** Pre-LN encoder-decoder: learned positions, GELU, no biases, untied head. */
    static Seq2SeqModel seq2seqPreLn() {
        return new Seq2SeqModel(TinyModels.seq2seqPreLn(TinyModels.ODD).build());
    }

    /** {@link TinyModels#randomWeights} of {@code model}. */
    static Map<String, HostTensor> weights(TrainableModel model, long seed) {
        return TinyModels.randomWeights(model.parameterSpecs(), seed);
    }

    /** Seeded token ids {@code [rows, cols]} in {@code [0, VOCAB)}. */
    static HostTensor ids(long seed, int rows, int cols) {
        return TinyModels.idTensor(rows, cols, VOCAB, seed);
    }

    /** Two GPT sequences of 9 tokens; three targets (two at the end of row 1) ignored. */
    static Batch gptBatch() {
        return TinyModels.gptBatch(VOCAB, 2, 9, 101);
    }

    /** Two sources of 7 (the second padded after 5) and decoder inputs/targets of 6 (the second's last two ignored). */
    static Batch seq2seqBatch() {
        return TinyModels.seq2seqBatch(VOCAB, 7, 6, 201);
    }
}
