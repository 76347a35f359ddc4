package org.transformer4j.cpu;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.transformer4j.data.Batch;
import org.transformer4j.nn.Activation;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * Test fixtures: tiny GPTs and encoder-decoders in both architectural variants, weights, and batches, small
 * enough that whole-model finite differences and a few hundred training steps take seconds.
 */
final class TinyModels {
    static final int VOCAB = 11;
    static final int CONTEXT = 8;
    static final int IGNORE = GptModel.IGNORE_INDEX;

    private TinyModels() {
    }

    /** GPT-2 style: pre-LN, learned positions, GELU, biases, tied embeddings. */
    static GptConfig gptPreLn(float dropout) {
        return new GptConfig(VOCAB, CONTEXT, 2, 2, 8, 16, dropout, true, true, PositionalEncodingType.LEARNED,
                NormPlacement.PRE, Activation.GELU);
    }

    /** The original paper's choices: post-LN, sinusoidal positions, ReLU; no biases; an untied output head. */
    static GptConfig gptPostLn(float dropout) {
        return new GptConfig(VOCAB, CONTEXT, 2, 2, 8, 16, dropout, false, false, PositionalEncodingType.SINUSOIDAL,
                NormPlacement.POST, Activation.RELU);
    }

    /** Pre-LN encoder-decoder: learned positions, GELU, biases, untied head. */
    static Seq2SeqConfig seq2seqPreLn(float dropout) {
        return new Seq2SeqConfig(VOCAB, CONTEXT, 2, 2, 2, 8, 16, dropout, true, false, PositionalEncodingType.LEARNED,
                NormPlacement.PRE, Activation.GELU);
    }

    /** Post-LN encoder-decoder (the paper): sinusoidal positions, ReLU, no biases, tied head. */
    static Seq2SeqConfig seq2seqPostLn(float dropout) {
        return new Seq2SeqConfig(VOCAB, CONTEXT, 2, 2, 2, 8, 16, dropout, false, true,
                PositionalEncodingType.SINUSOIDAL, NormPlacement.POST, Activation.RELU);
    }

    /**
     * Weights far from the initializer's (gains in [0.7, 1.3], biases in ±0.2, matrices in ±0.5), so that every
     * parameter, biases and norms included, gets a gradient of a size finite differences can check.
     */
    static Map<String, HostTensor> randomWeights(List<ParameterSpec> specs, long seed) {
        Random rnd = new Random(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (ParameterSpec spec : specs) {
            float[] v = new float[spec.shape().size()];
            for (int i = 0; i < v.length; i++) {
                double u = 2 * rnd.nextDouble() - 1;
                v[i] = (float) switch (spec.init()) {
                    case ONES -> 1 + 0.3 * u;
                    case ZEROS -> 0.2 * u;
                    case NORMAL -> 0.5 * u;
                };
            }
            out.put(spec.name(), HostTensor.ofFloats(spec.shape(), v));
        }
        return out;
    }

    static HostTensor ids(int rows, int cols, int... values) {
        return HostTensor.ofInts(Shape.of(rows, cols), values);
    }

    /** Two sequences of 7 tokens; the second has its last two targets ignored. */
    static Batch gptBatch() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("input_ids", ids(2, 7, 1, 5, 9, 2, 2, 7, 10, 3, 0, 4, 8, 6, 1, 5));
        m.put("targets", ids(2, 7, 5, 9, 2, 2, 7, 10, 4, 0, 4, 8, 6, 1, IGNORE, IGNORE));
        return new Batch(m);
    }

    /** Two source sequences of 6 (the second padded after 4 tokens) and target sequences of 5 (padded likewise). */
    static Batch seq2seqBatch() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("src_ids", ids(2, 6, 3, 7, 4, 9, 5, 8, 6, 2, 10, 4, 0, 0));
        m.put("src_mask", ids(2, 6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0));
        m.put("tgt_in", ids(2, 5, 1, 8, 5, 9, 4, 1, 4, 10, 2, 0));
        m.put("targets", ids(2, 5, 8, 5, 9, 4, 7, 4, 10, 2, IGNORE, IGNORE));
        return new Batch(m);
    }

    static GptModel gpt(GptConfig c) {
        return new GptModel(c);
    }

    static Seq2SeqModel seq2seq(Seq2SeqConfig c) {
        return new Seq2SeqModel(c);
    }
}
