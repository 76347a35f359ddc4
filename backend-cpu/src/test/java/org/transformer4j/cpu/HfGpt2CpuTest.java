package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
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
import org.transformer4j.testing.Gpt2Reference;
import org.transformer4j.testing.HfGpt2Fixture;
import org.transformer4j.testing.HfGpt2Fixture.Layout;
import org.transformer4j.testing.HfGpt2Fixture.Sizes;
import org.transformer4j.testing.HfGpt2Fixture.StoredType;

/**
 * A Hugging Face GPT-2 directory on the cpu backend: its logits match the double-precision GPT-2 of HF's formulas
 * to 1e-4 and greedy generation with the key/value cache gives the reference's tokens (the reference recomputes the
 * whole sequence each step). The GPT-2-small-sized variant runs with {@code -Pheavy}.
 */
class HfGpt2CpuTest {
    static final int[] PROMPT = {5, 17, 42, 3, 99, 0, 64, 23, 8, 51, 77, 12};

    @TempDir
    Path tmp;

    @Test
    void tinyGpt2MatchesTheReferenceInEveryStoredPrecision() throws Exception {
        for (StoredType type : StoredType.values()) {
            HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), type != StoredType.F16, type, 21);
            Path dir = tmp.resolve(type.name());
            f.write(dir, new Layout(type, type == StoredType.BF16, type == StoredType.F16 ? 2 : 1, false, true));
            check(f, ModelDirectory.load(dir), PROMPT, 8, 1e-4);
        }
    }

    @Test
    @Tag("heavy")
    void gpt2SmallShapeLoadsGeneratesAndMatchesTheReference() throws Exception {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.small(), true, StoredType.F32, 5);
        f.write(tmp, Layout.plain(StoredType.F32));
        ModelDirectory md = ModelDirectory.load(tmp);
        check(f, md, new int[] {464, 2068, 7586, 21831, 18045, 625, 262}, 3, 2e-4);
    }

    static void check(HfGpt2Fixture f, ModelDirectory md, int[] prompt, int newTokens, double tol) throws Exception {
        GptModel model = new GptModel((GptConfig) md.config());
        Gpt2Reference ref = new Gpt2Reference(f);
        try (Engine engine = new CpuBackend().open(EngineOptions.defaults());
             LoadedWeights w = engine.load(md.weights())) {
            Ops ops = engine.inferenceOps();
            float[] got;
            try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(1, prompt.length), prompt));
                 Tensor logits = model.logits(ops, w, in)) {
                got = logits.toFloatArray();
            }
            double[][] want = ref.logits(prompt);
            int v = want[0].length;
            double max = 0;
            for (int i = 0; i < want.length; i++) {
                for (int j = 0; j < v; j++) {
                    max = Math.max(max, Math.abs(want[i][j] - got[i * v + j]));
                }
            }
            assertTrue(max <= tol, "largest logit difference to the reference " + max);
            int[] tokens = new GptGenerator(model, engine, w).generate(prompt, GenerationOptions.greedy(newTokens), t -> true);
            assertArrayEquals(ref.greedy(prompt, newTokens), tokens, Arrays.toString(tokens));
        }
    }
}
