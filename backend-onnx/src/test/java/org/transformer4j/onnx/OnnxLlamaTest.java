package org.transformer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.io.Safetensors;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.model.ModelConfigJson;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.testing.LlamaReferenceFixture;

/**
 * Llama-family models exported to ONNX (RMSNorm, rotary embedding with llama3 scaling, SwiGLU, grouped-query
 * attention with 4 heads over 2 key/value heads; Qwen2's q/k/v biases; untied and tied heads) and served by
 * ONNX Runtime, against the PyTorch fixtures of {@code scripts/reference/llama_reference_torch.py} (transformer-api's
 * test resources: HF's formulas in float64) and against backend-cpu: logits within 1e-4 with and without the cache,
 * left-padded, the same greedy tokens (also through {@link LanguageModel#open} of the exported directory); the cache
 * inputs hold only the key/value heads, in Optimum's layout.
 */
class OnnxLlamaTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-qwen2"})
    void exportedLlamaMatchesPyTorchAndCpu(String name) throws Exception {
        Path src = PyTorchReference.copy("/org/transformer4j/llama/" + name, tmp.resolve(name), "config.json",
                "model.safetensors", "reference.safetensors");
        LlamaConfig config = (LlamaConfig) ModelConfigJson.fromJson(
                Files.readString(src.resolve("config.json"), StandardCharsets.UTF_8));
        Map<String, HostTensor> weights = ModelDirectory.checkWeights(src.resolve("model.safetensors"), config,
                Safetensors.read(src.resolve("model.safetensors")).tensors());
        Path out = tmp.resolve(name + "-onnx");
        assertEquals(List.of(out.resolve(OnnxNames.MODEL_FILE)),
                OnnxExporter.export(config, weights, LlamaReferenceFixture.tokenizer(config.vocabSize()), out));
        cacheInputsHoldOnlyTheKeyValueHeads(out.resolve(OnnxNames.MODEL_FILE), config);

        PyTorchReference ref = PyTorchReference.read(name, src);
        try (OnnxModel model = OnnxModel.open(out)) {
            assertEquals(config, model.config());
            ref.logitsMatch(model);
            ref.cachedLogitsMatch(model);
            ref.paddedLogitsMatch(model);
            ref.greedyTokensMatch(model);

            int[][] ids = TinyModels.ids(3, 7, config.vocabSize(), 17);
            LlamaModel llama = new LlamaModel(config);
            try (InferenceEngine cpu = CpuReference.open(); LoadedWeights w = cpu.load(weights)) {
                var ops = cpu.inferenceOps();
                try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(3, 7), TinyModels.flat(ids)));
                     Tensor logits = llama.logits(ops, w, in)) {
                    OnnxGptLogitsTest.assertClose(logits.toFloatArray(), model.logits(ids).floats(), name + " vs cpu");
                }
            }
        }
        try (LanguageModel lm = LanguageModel.open(out)) {
            assertEquals("onnx", lm.backend());
            int[][] prompts = ref.greedyPrompt();
            int[][] want = ref.greedyTokens();
            for (int r = 0; r < prompts.length; r++) {
                assertArrayEquals(want[r], lm.generateTokens(prompts[r], GenerationOptions.greedy(want[r].length),
                        t -> true), name + " through LanguageModel, row " + r);
            }
        }
    }

    private static void cacheInputsHoldOnlyTheKeyValueHeads(Path file, LlamaConfig config) throws Exception {
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(file.toString())) {
            NodeInfo past = s.getInputInfo().get("past_key_values.0.key");
            long[] shape = ((TensorInfo) past.getInfo()).getShape();
            assertEquals(config.kvHeads(), shape[1], "key/value heads of the cache");
            assertEquals(config.headDim(), shape[3], "head width of the cache");
            NodeInfo present = s.getOutputInfo().get("present." + (config.layers() - 1) + ".value");
            assertEquals(config.kvHeads(), ((TensorInfo) present.getInfo()).getShape()[1]);
        }
    }
}
