package org.transformer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.ODD;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.onnx.export.OnnxExporter;

/** The onnx backend: found, available, infers only, and refuses what it does not do with directions. */
class OnnxBackendTest {

    @Test
    void isFoundAvailableAndBelowCpu() {
        var info = Backends.list().stream().filter(b -> b.name().equals("onnx")).findFirst().orElseThrow();
        assertTrue(info.availability().available(), info.toString());
        assertTrue(info.capabilities().servesExported());
        assertFalse(info.capabilities().infers(), "it does not run the Ops composition from weights");
        assertFalse(info.capabilities().trains());
        assertTrue(info.priority() < 100);
    }

    @Test
    void engineServesAndExportsButNeitherRunsOpsNorTrains(@TempDir Path dir) throws Exception {
        GptConfig config = TinyModels.gptPostLn(ODD).build();
        OnnxExporter.export(config, TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 5), null, dir);
        try (Engine engine = Backends.open("onnx", EngineOptions.defaults().withThreads(1))) {
            assertEquals("onnx", engine.backendName());
            assertTrue(engine.capability(org.transformer4j.backend.InferenceEngine.class).isEmpty());
            assertTrue(engine.capability(org.transformer4j.backend.TrainingEngine.class).isEmpty());
            assertTrue(engine.capability(org.transformer4j.backend.ExportingEngine.class).isPresent());
            var serving = engine.capability(org.transformer4j.backend.ServingEngine.class).orElseThrow();
            assertTrue(serving.isExportedModel(dir));
            assertFalse(serving.isExportedModel(dir.resolve("missing")));
            try (var model = serving.open(dir)) {
                assertEquals(config, model.config());
                assertTrue(model.gpt().isPresent());
                assertTrue(model.seq2seq().isEmpty());
            }
        }
    }

    @Test
    void cudaWithoutTheCudaProviderFailsInsteadOfFallingBack(@TempDir Path dir) throws Exception {
        if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            return; // the GPU build: CUDA may well load here
        }
        GptConfig config = TinyModels.gptPostLn(ODD).build();
        OnnxExporter.export(config, TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 5), null, dir);
        var e = assertThrows(IllegalStateException.class, () -> OnnxModel.open(dir, new OnnxOptions("cuda:0", 0)));
        assertTrue(e.getMessage().contains("onnx-gpu"), e.getMessage());
    }

    @Test
    void unknownDevicesAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new OnnxOptions("tpu", 0));
        assertTrue(e.getMessage().contains("tpu"), e.getMessage());
        assertEquals(2, new OnnxOptions("gpu:2", 0).cudaDeviceIndex());
        assertEquals(-1, OnnxOptions.defaults().cudaDeviceIndex());
    }
}
