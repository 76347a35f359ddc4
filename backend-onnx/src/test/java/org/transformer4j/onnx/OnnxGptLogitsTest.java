package org.transformer4j.onnx;

import org.transformer4j.backend.InferenceEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.ODD;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/** An exported GPT run by ONNX Runtime gives backend-cpu's logits for the same weights. */
class OnnxGptLogitsTest {
    static final float TOLERANCE = 1e-4f;

    static List<GptConfig> configs() {
        return List.of(TinyModels.gptPreLn(ODD).build(), TinyModels.gptPostLn(ODD).build());
    }

    @ParameterizedTest
    @MethodSource("configs")
    void logitsEqualCpuAtSeveralBatchAndSequenceSizes(GptConfig config, @TempDir Path dir) throws Exception {
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 7);
        List<Path> files = OnnxExporter.export(config, weights, null, dir);
        assertEquals(List.of(dir.resolve("model.onnx")), files);
        int[][] sizes = {{1, 1}, {1, 5}, {3, 4}, {2, config.contextLength()}, {5, 2}};
        try (OnnxModel onnx = OnnxModel.open(dir);
             InferenceEngine cpu = CpuReference.open();
             LoadedWeights w = cpu.load(weights)) {
            assertEquals(config, onnx.config());
            for (int[] bt : sizes) {
                int[][] ids = TinyModels.ids(bt[0], bt[1], config.vocabSize(), 31L * bt[0] + bt[1]);
                HostTensor got = onnx.logits(ids);
                assertEquals(Shape.of(bt[0], bt[1], config.vocabSize()), got.shape());
                float[] want = cpuLogits(cpu, w, model, ids);
                assertClose(want, got.floats(), "batch " + bt[0] + " x " + bt[1]);
            }
        }
    }

    static float[] cpuLogits(org.transformer4j.backend.InferenceEngine cpu, LoadedWeights w, GptModel model, int[][] ids) {
        var ops = cpu.inferenceOps();
        try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(ids.length, ids[0].length), TinyModels.flat(ids)));
             Tensor logits = model.logits(ops, w, in)) {
            return logits.toFloatArray();
        }
    }

    static void assertClose(float[] want, float[] got, String where) {
        assertEquals(want.length, got.length, where + ": sizes");
        double spread = 0;
        for (int i = 0; i < want.length; i++) {
            spread = Math.max(spread, Math.abs(want[i]));
            assertTrue(Math.abs(want[i] - got[i]) <= TOLERANCE * Math.max(1, Math.abs(want[i])),
                    where + ": element " + i + " is " + got[i] + ", backend-cpu gives " + want[i]);
        }
        assertTrue(spread > 0.1, where + ": logits are all near zero; the comparison would prove little");
    }
}
