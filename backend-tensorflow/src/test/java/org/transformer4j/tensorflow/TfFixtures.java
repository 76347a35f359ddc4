package org.transformer4j.tensorflow;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Tiny models, weights, batches and a NumPy-style closeness assertion for the tensorflow backend's tests. */
final class TfFixtures {
    static final int VOCAB = 13;
    static final int IGNORE = GptModel.IGNORE_INDEX;

    private TfFixtures() {
    }

    /** Pre-LN GPT, learned positions, GELU; no biases (a key bias has an exactly-zero true gradient). */
    static GptModel gpt(float dropout) {
        return new GptModel(new GptConfig(VOCAB, 10, 2, 2, 8, 16, dropout, false, true, PositionalEncodingType.LEARNED,
                NormPlacement.PRE, Activation.GELU));
    }

    /** Post-LN encoder-decoder, sinusoidal positions, ReLU, no biases, tied head. */
    static Seq2SeqModel seq2seq(float dropout) {
        return new Seq2SeqModel(new Seq2SeqConfig(VOCAB, 10, 2, 2, 2, 8, 16, dropout, false, true,
                PositionalEncodingType.SINUSOIDAL, NormPlacement.POST, Activation.RELU));
    }

    /** Weights spread away from the initializer's (gains 1±0.3, matrices ±0.5), so every gradient is sizeable. */
    static Map<String, HostTensor> weights(List<ParameterSpec> specs, long seed) {
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

    static HostTensor ids(Random r, int rows, int cols) {
        int[] v = new int[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(VOCAB);
        }
        return HostTensor.ofInts(Shape.of(rows, cols), v);
    }

    /** A GPT batch [3, 8] with the last two targets of row 2 ignored. */
    static Batch gptBatch(long seed) {
        Random r = new Random(seed);
        int[] t = ids(r, 3, 8).ints().clone();
        t[22] = IGNORE;
        t[23] = IGNORE;
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("input_ids", ids(r, 3, 8));
        m.put("targets", HostTensor.ofInts(Shape.of(3, 8), t));
        return new Batch(m);
    }

    /** Sources [2, 7] (row 1 padded after 5), decoder inputs and targets [2, 6] (row 1's last target ignored). */
    static Batch seq2seqBatch(long seed) {
        Random r = new Random(seed);
        int[] t = ids(r, 2, 6).ints().clone();
        t[11] = IGNORE;
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("src_ids", ids(r, 2, 7));
        m.put("src_mask", HostTensor.ofInts(Shape.of(2, 7), new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}));
        m.put("tgt_in", ids(r, 2, 6));
        m.put("targets", HostTensor.ofInts(Shape.of(2, 6), t));
        return new Batch(m);
    }

    /** Fails unless {@code |actual - expected| <= abs + rel·|expected|} element-wise, naming the first offender. */
    static void assertClose(float[] expected, float[] actual, double abs, double rel, String what) {
        assertEquals(expected.length, actual.length, what + ": lengths");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) {
                fail(what + "[" + i + "]: tensorflow " + a + ", cpu " + e + " (allowed abs " + abs + " + rel " + rel + ")");
            }
        }
    }

    static void assertClose(Map<String, HostTensor> expected, Map<String, HostTensor> actual, double abs, double rel,
            String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": names");
        for (String k : expected.keySet()) {
            assertEquals(expected.get(k).shape(), actual.get(k).shape(), what + " " + k);
            assertClose(expected.get(k).floats(), actual.get(k).floats(), abs, rel, what + " " + k);
        }
    }
}
