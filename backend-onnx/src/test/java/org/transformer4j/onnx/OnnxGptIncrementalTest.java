package org.transformer4j.onnx;

import org.transformer4j.backend.InferenceEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.transformer4j.conformance.fixtures.TinyModels.ODD;

import java.nio.file.Path;
import java.util.Arrays;
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

/** Incremental decoding with past/present equals a full recompute; attention masks match backend-cpu's key masks. */
class OnnxGptIncrementalTest {

    static java.util.List<GptConfig> configs() {
        return OnnxGptLogitsTest.configs();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void stepsWithThePastEqualTheFullSequence(GptConfig config, @TempDir Path dir) throws Exception {
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 11);
        OnnxExporter.export(config, weights, null, dir);
        int batch = 3;
        int total = 9;
        int vocab = config.vocabSize();
        int[][] ids = TinyModels.ids(batch, total, vocab, 5);
        try (OnnxModel onnx = OnnxModel.open(dir.resolve("model.onnx"));
             OnnxKvCache cache = onnx.newCache(batch)) {
            float[] full = onnx.logits(ids).floats();
            // a prompt of 4 on an empty past, then chunks of 1, 3 and 1
            int[] chunks = {4, 1, 3, 1};
            int at = 0;
            for (int n : chunks) {
                int[][] part = new int[batch][];
                for (int b = 0; b < batch; b++) {
                    part[b] = Arrays.copyOfRange(ids[b], at, at + n);
                }
                HostTensor got = onnx.step(part, cache);
                assertEquals(Shape.of(batch, n, vocab), got.shape());
                assertEquals(at + n, cache.length());
                float[] want = new float[batch * n * vocab];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(full, (b * total + at) * vocab, want, b * n * vocab, n * vocab);
                }
                OnnxGptLogitsTest.assertClose(want, got.floats(), "positions " + at + ".." + (at + n - 1));
                at += n;
            }
        }
    }

    @org.junit.jupiter.api.Test
    void selectedRowsContinueAsTheRowsTheyCopy(@TempDir Path dir) throws Exception {
        GptConfig config = TinyModels.gptPreLn(ODD).build();
        Map<String, HostTensor> weights = TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 19);
        OnnxExporter.export(config, weights, null, dir);
        int vocab = config.vocabSize();
        int[][] prompts = TinyModels.ids(3, 4, vocab, 77);
        int[] next = {5, 6};
        try (OnnxModel onnx = OnnxModel.open(dir);
             OnnxKvCache cache = onnx.newCache(3)) {
            onnx.step(prompts, cache);
            cache.selectRows(new int[] {2, 0});
            assertEquals(2, cache.batch());
            float[] got = onnx.step(new int[][] {{next[0]}, {next[1]}}, cache).floats();
            int[][] full = {
                    {prompts[2][0], prompts[2][1], prompts[2][2], prompts[2][3], next[0]},
                    {prompts[0][0], prompts[0][1], prompts[0][2], prompts[0][3], next[1]}};
            float[] all = onnx.logits(full).floats();
            float[] want = new float[2 * vocab];
            System.arraycopy(all, 4 * vocab, want, 0, vocab);
            System.arraycopy(all, (5 + 4) * vocab, want, vocab, vocab);
            OnnxGptLogitsTest.assertClose(want, got, "after selectRows [2, 0]");
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void attentionMaskMatchesCpuKeyMask(GptConfig config, @TempDir Path dir) throws Exception {
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 13);
        OnnxExporter.export(config, weights, null, dir);
        int[][] ids = TinyModels.ids(3, 6, config.vocabSize(), 9);
        // row 1: right padding; row 2: left padding, so its first two queries see no key at all (zero attention)
        int[][] mask = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}, {0, 0, 1, 1, 0, 1}};
        try (OnnxModel onnx = OnnxModel.open(dir);
             InferenceEngine cpu = CpuReference.open();
             LoadedWeights w = cpu.load(weights)) {
            var ops = cpu.inferenceOps();
            float[] want;
            try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(3, 6), TinyModels.flat(ids)));
                 Tensor m = ops.constant(HostTensor.ofInts(Shape.of(3, 6), TinyModels.flat(mask)));
                 Tensor logits = model.logits(ops, w, in, null, m)) {
                want = logits.toFloatArray();
            }
            OnnxGptLogitsTest.assertClose(want, onnx.logits(ids, mask).floats(), "masked batch");
        }
    }
}
