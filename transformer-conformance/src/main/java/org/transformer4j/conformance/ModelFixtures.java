package org.transformer4j.conformance;

import java.util.LinkedHashMap;
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
import org.transformer4j.nn.Initializer;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * The tiny models and inputs of the whole-model cases: both architectures in both layouts (pre-LN with learned
 * positions, GELU and biases; post-LN with sinusoids and ReLU, as the original paper), odd sizes (vocabulary 29,
 * width 12 in 3 heads of 4, feed-forward 20, context 12) so that no backend can lean on powers of two.
 *
 * <p>Weights start from {@link Initializer} (the values every backend trains from) and are then spread: matrices
 * times {@link #GAIN} (GPT-2's 0.02 std gives near-uniform logits whose ranking hinges on rounding), norm gains
 * {@code 1 + 0.2·N(0,1)} and biases {@code 0.1·N(0,1)} (ones and zeros would hide a backend that ignores them).
 */
final class ModelFixtures {
    static final int VOCAB = 29;
    static final int CONTEXT = 12;
    static final int WIDTH = 12;
    static final int HEADS = 3;
    static final int FFN = 20;
    static final float GAIN = 15f;
    static final int IGNORE = GptModel.IGNORE_INDEX;

    private ModelFixtures() {
    }

    /** GPT-2 style: pre-LN, learned positions, GELU, biases, untied head. */
    static GptModel gptPreLn() {
        return new GptModel(new GptConfig(VOCAB, CONTEXT, 2, HEADS, WIDTH, FFN, 0f, true, false,
                PositionalEncodingType.LEARNED, NormPlacement.PRE, Activation.GELU));
    }

    /** The paper's choices in a GPT: post-LN, sinusoidal positions, ReLU, no biases, tied head. */
    static GptModel gptPostLn() {
        return new GptModel(new GptConfig(VOCAB, CONTEXT, 2, HEADS, WIDTH, FFN, 0f, false, true,
                PositionalEncodingType.SINUSOIDAL, NormPlacement.POST, Activation.RELU));
    }

    /** The paper's encoder-decoder: post-LN, sinusoidal positions, ReLU, biases, tied head. */
    static Seq2SeqModel seq2seqPostLn() {
        return new Seq2SeqModel(new Seq2SeqConfig(VOCAB, CONTEXT, 2, 2, HEADS, WIDTH, FFN, 0f, true, true,
                PositionalEncodingType.SINUSOIDAL, NormPlacement.POST, Activation.RELU));
    }

    /** Pre-LN encoder-decoder: learned positions, GELU, no biases, untied head. */
    static Seq2SeqModel seq2seqPreLn() {
        return new Seq2SeqModel(new Seq2SeqConfig(VOCAB, CONTEXT, 2, 2, HEADS, WIDTH, FFN, 0f, false, false,
                PositionalEncodingType.LEARNED, NormPlacement.PRE, Activation.GELU));
    }

    /** The spread initial weights of {@code model} (see the class comment), in parameter order. */
    static Map<String, HostTensor> weights(TrainableModel model, long seed) {
        Map<String, HostTensor> init = Initializer.initialize(model.parameterSpecs(), seed);
        Random noise = new Random(seed ^ 0x5DEECE66DL);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (ParameterSpec spec : model.parameterSpecs()) {
            float[] v = init.get(spec.name()).floats().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (spec.init()) {
                    case NORMAL -> v[i] * GAIN;
                    case ONES -> (float) (1 + 0.2 * noise.nextGaussian());
                    case ZEROS -> (float) (0.1 * noise.nextGaussian());
                };
            }
            out.put(spec.name(), HostTensor.ofFloats(spec.shape(), v));
        }
        return out;
    }

    /** Seeded token ids in {@code [0, VOCAB)}. */
    static HostTensor ids(long seed, int rows, int cols) {
        Random r = new Random(seed);
        int[] v = new int[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(VOCAB);
        }
        return HostTensor.ofInts(Shape.of(rows, cols), v);
    }

    /** {@code ids} with the listed flat positions replaced by {@link #IGNORE}. */
    static HostTensor ignoring(HostTensor ids, int... positions) {
        int[] v = ids.ints().clone();
        for (int p : positions) {
            v[p] = IGNORE;
        }
        return HostTensor.ofInts(ids.shape(), v);
    }

    /** Two GPT sequences of 9 tokens; three targets (two at the end of row 1) ignored. */
    static Batch gptBatch() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("input_ids", ids(101, 2, 9));
        m.put("targets", ignoring(ids(102, 2, 9), 4, 16, 17));
        return new Batch(m);
    }

    /** Two sources of 7 (the second padded after 5) and decoder inputs/targets of 6 (the second's last two ignored). */
    static Batch seq2seqBatch() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("src_ids", ids(201, 2, 7));
        m.put("src_mask", HostTensor.ofInts(Shape.of(2, 7), new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}));
        m.put("tgt_in", ids(202, 2, 6));
        m.put("targets", ignoring(ids(203, 2, 6), 10, 11));
        return new Batch(m);
    }
}
