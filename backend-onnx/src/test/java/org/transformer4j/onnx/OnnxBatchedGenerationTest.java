package org.transformer4j.onnx;

import org.transformer4j.backend.InferenceEngine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.ODD;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;

/**
 * Prompts of different lengths as one ONNX batch (left-padded, per-row {@code position_ids}, padding masked):
 * each row gives exactly what its prompt gives alone, and what backend-cpu's batched generator gives.
 */
class OnnxBatchedGenerationTest {
    /** Lengths 1, 3, 6 and 11: up to 10 pads in a row. */
    private static final List<int[]> PROMPTS = List.of(new int[] {5}, new int[] {3, 1, 4},
            new int[] {9, 2, 6, 5, 3, 5}, new int[] {8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2});

    static List<GptConfig> configs() {
        return List.of(TinyModels.gptPreLn(ODD).build(), TinyModels.gptPostLn(ODD).build());
    }

    @ParameterizedTest
    @MethodSource("configs")
    void raggedGreedyBatchEqualsEachPromptAloneAndTheCpuBatch(GptConfig config, @TempDir Path dir) throws Exception {
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 41);
        OnnxExporter.export(config, weights, null, dir);
        // 14 new tokens: the 11-token prompt fills the context (12) and slides its window
        GenerationOptions greedy = GenerationOptions.greedy(14);
        try (OnnxModel onnx = OnnxModel.open(dir); InferenceEngine cpu = CpuReference.open(); LoadedWeights w = cpu.load(weights)) {
            GptGenerator generator = new GptGenerator(onnx);
            List<int[]> batched = generator.generate(PROMPTS, greedy);
            List<int[]> cpuBatched = new GptGenerator(model, cpu.inferenceOps(), w).generate(PROMPTS, greedy);
            for (int i = 0; i < PROMPTS.size(); i++) {
                int[] alone = generator.generate(PROMPTS.get(i), greedy, t -> true);
                assertEquals(14, alone.length);
                assertArrayEquals(alone, batched.get(i), "prompt " + i + ": batched vs alone on ONNX");
                assertArrayEquals(cpuBatched.get(i), batched.get(i), "prompt " + i + ": ONNX vs backend-cpu");
            }
        }
    }

    @Test
    void raggedSampledBatchWithOwnSeedsAndLimitsEqualsEachPromptAlone(@TempDir Path dir) throws Exception {
        GptConfig config = TinyModels.gptPreLn(ODD).build();
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 43);
        OnnxExporter.export(config, weights, null, dir);
        List<GenerationOptions> options = new ArrayList<>();
        for (int i = 0; i < PROMPTS.size(); i++) {
            options.add(GenerationOptions.sampling(4 + 3 * i, 0.8f, 5, 100 + i));
        }
        try (OnnxModel onnx = OnnxModel.open(dir); InferenceEngine cpu = CpuReference.open(); LoadedWeights w = cpu.load(weights)) {
            GptGenerator generator = new GptGenerator(onnx);
            List<int[]> batched = generator.generate(PROMPTS, options, (row, token) -> true);
            List<int[]> cpuBatched = new GptGenerator(model, cpu.inferenceOps(), w).generate(PROMPTS, options, (row, token) -> true);
            for (int i = 0; i < PROMPTS.size(); i++) {
                int[] alone = generator.generate(PROMPTS.get(i), options.get(i), t -> true);
                assertEquals(4 + 3 * i, alone.length, "prompt " + i + " leaves the batch after its own limit");
                assertArrayEquals(alone, batched.get(i), "prompt " + i);
                assertArrayEquals(cpuBatched.get(i), batched.get(i), "prompt " + i + ": ONNX vs backend-cpu");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void leftPaddedLogitsAtTheRealTokensEqualEachPromptAloneOnCpu(GptConfig config, @TempDir Path dir)
            throws Exception {
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 47);
        OnnxExporter.export(config, weights, null, dir);
        int width = PROMPTS.getLast().length;
        int rows = PROMPTS.size();
        int[][] ids = new int[rows][width];
        int[][] positions = new int[rows][width];
        int[][] mask = new int[rows][width];
        for (int r = 0; r < rows; r++) {
            int[] p = PROMPTS.get(r);
            int pad = width - p.length;
            for (int j = pad; j < width; j++) {
                ids[r][j] = p[j - pad];
                positions[r][j] = j - pad;
                mask[r][j] = 1;
            }
        }
        int vocab = config.vocabSize();
        try (OnnxModel onnx = OnnxModel.open(dir); InferenceEngine cpu = CpuReference.open(); LoadedWeights w = cpu.load(weights)) {
            float[] got = onnx.logits(ids, positions, mask).floats();
            for (int r = 0; r < rows; r++) {
                int[] p = PROMPTS.get(r);
                int pad = width - p.length;
                float[] want = OnnxGptLogitsTest.cpuLogits(cpu, w, model, new int[][] {p});
                float[] row = Arrays.copyOfRange(got, (r * width + pad) * vocab, (r + 1) * width * vocab);
                OnnxGptLogitsTest.assertClose(want, row, "row " + r + " (" + pad + " pads)");
            }
        }
    }

    @Test
    void positionsOutsideTheContextOrOfTheWrongShapeAreRefused(@TempDir Path dir) throws Exception {
        GptConfig config = TinyModels.gptPostLn(ODD).build();
        OnnxExporter.export(config, TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 3), null, dir);
        try (OnnxModel onnx = OnnxModel.open(dir)) {
            int[][] ids = {{1, 2}};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> onnx.logits(ids, new int[][] {{0, config.contextLength()}}, null));
            assertTrue(e.getMessage().contains("position " + config.contextLength() + " at [0, 1]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> onnx.logits(ids, new int[][] {{0, 1, 2}}, null));
            assertTrue(e.getMessage().contains("position_ids is [1, 3] but must be [1, 2]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> new GptGenerator(onnx).generate(List.of(new int[] {1}, new int[0]), GenerationOptions.greedy(2)));
            assertTrue(e.getMessage().contains("prompt 1 is empty"), e.getMessage());
        }
    }
}
