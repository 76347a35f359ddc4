package org.transformer4j.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.WeightPrecision;
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
import org.transformer4j.testing.HfGpt2Checks;
import org.transformer4j.testing.HfGpt2Fixture;
import org.transformer4j.testing.HfGpt2Fixture.Layout;
import org.transformer4j.testing.HfGpt2Fixture.Sizes;
import org.transformer4j.testing.HfGpt2Fixture.StoredType;

/**
 * bfloat16 inference weights ({@link WeightPrecision#BF16}) end to end: a GPT-2 whose weights are stored as BF16
 * (so rounding them again changes nothing) runs on bfloat16 matrices in float32 arithmetic and must match the
 * double-precision reference to 1e-4, with the reference's greedy tokens through the key/value cache.
 */
class Bf16WeightsTest {
    static final int[] PROMPT = {5, 17, 42, 3, 99, 0, 64, 23, 8, 51, 77, 12};

    @TempDir
    Path tmp;

    @Test
    void bf16WeightsMatchTheReferenceOnBf16Checkpoint() throws Exception {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), true, StoredType.BF16, 21);
        f.write(tmp, new Layout(StoredType.BF16, true, 1, false, true));
        ModelDirectory md = ModelDirectory.load(tmp);
        GptModel model = new GptModel((GptConfig) md.config());
        Gpt2Reference ref = new Gpt2Reference(f);
        try (TrainingEngine engine = new CpuBackend().open(EngineOptions.defaults().withThreads(2));
             LoadedWeights w = ((CpuEngine) engine).load(md.weights(), WeightPrecision.BF16)) {
            CpuWeights cw = (CpuWeights) w;
            assertThat(cw.tensors.values().stream().filter(t -> t.bf16 != null).count())
                    .as("every matrix is stored as bfloat16")
                    .isEqualTo(md.weights().values().stream().filter(t -> t.shape().rank() == 2).count())
                    .isPositive();
            Ops ops = engine.inferenceOps();
            float[] got;
            try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(1, PROMPT.length), PROMPT))) {
                got = model.logits(ops, w, in).toFloatArray();
            }
            HfGpt2Checks.assertLogitsClose(ref.logits(PROMPT), got, 1e-4);
            int[] tokens = new GptGenerator(model, ops, w).generate(PROMPT, GenerationOptions.greedy(8), t -> true);
            assertArrayEquals(ref.greedy(PROMPT, 8), tokens, Arrays.toString(tokens));
        }
    }
}
