package org.transformer4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/** The check every backend runs on a loaded Hugging Face GPT-2: logits and greedy tokens against {@link Gpt2Reference}. */
public final class HfGpt2Checks {
    private HfGpt2Checks() {
    }

    /**
     * Asserts that {@code engine}'s logits for {@code prompt} are within {@code tol} of the reference's and that
     * greedy generation of {@code newTokens} (with the key/value cache) gives the reference's tokens.
     */
    public static void assertMatchesReference(HfGpt2Fixture f, ModelDirectory md, InferenceEngine engine, int[] prompt,
                                              int newTokens, double tol) throws Exception {
        GptModel model = new GptModel((GptConfig) md.config());
        Gpt2Reference ref = new Gpt2Reference(f);
        try (LoadedWeights w = engine.load(md.weights())) {
            Ops ops = engine.inferenceOps();
            float[] got;
            try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(1, prompt.length), prompt));
                 Tensor logits = model.logits(ops, w, in)) {
                got = logits.toFloatArray();
            }
            assertLogitsClose(ref.logits(prompt), got, tol);
            int[] tokens = new GptGenerator(model, ops, w).generate(prompt, GenerationOptions.greedy(newTokens), t -> true);
            assertArrayEquals(ref.greedy(prompt, newTokens), tokens, Arrays.toString(tokens));
        }
    }

    /** Largest |want - got| over {@code [T][V]} logits at most {@code tol}. */
    public static void assertLogitsClose(double[][] want, float[] got, double tol) {
        int v = want[0].length;
        double max = 0;
        for (int i = 0; i < want.length; i++) {
            for (int j = 0; j < v; j++) {
                max = Math.max(max, Math.abs(want[i][j] - got[i * v + j]));
            }
        }
        assertTrue(max <= tol, "largest logit difference to the reference " + max + " > " + tol);
    }
}
