package org.transformer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;

/**
 * ONNX external data: with the threshold property lowered to 0, a tiny GPT's weights go to {@code model.onnx.data}
 * (each tensor EXTERNAL with location, 64 KiB-aligned offset and length, its bytes there little-endian as the
 * weight's), ONNX Runtime loads the directory and gives exactly the logits of the one-file export, cached and not;
 * exporting again without it removes the stale data file. A real model over 2 GB takes the same path by default.
 */
class OnnxExternalDataTest {
    /** Wide enough that several tensors pass 1 KiB (the test wants more than one external tensor of each kind). */
    private static final TinyModels.Sizes SIZES = new TinyModels.Sizes(23, 16, 16, 2, 24);

    @TempDir
    Path tmp;

    @Test
    void weightsAboveTheThresholdAreWrittenAsAlignedExternalDataAndServedAlike() throws Exception {
        GptConfig config = TinyModels.gptPreLn(SIZES).build();
        Map<String, HostTensor> weights = TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 3);
        Path inline = tmp.resolve("inline");
        Path external = tmp.resolve("external");
        assertEquals(List.of(inline.resolve("model.onnx")), OnnxExporter.export(config, weights, null, inline));
        List<Path> files;
        System.setProperty(OnnxExporter.EXTERNAL_DATA_THRESHOLD_PROPERTY, "0");
        try {
            files = OnnxExporter.export(config, weights, null, external);
        } finally {
            System.clearProperty(OnnxExporter.EXTERNAL_DATA_THRESHOLD_PROPERTY);
        }
        Path data = external.resolve("model.onnx.data");
        assertEquals(List.of(external.resolve("model.onnx"), data), files);
        assertTrue(Files.size(external.resolve("model.onnx")) < Files.size(data), "the weights are in the data file");

        ModelProto proto;
        try (InputStream in = Files.newInputStream(external.resolve("model.onnx"))) {
            proto = ModelProto.parseFrom(in);
        }
        int externals = 0;
        try (FileChannel ch = FileChannel.open(data)) {
            for (TensorProto t : proto.getGraph().getInitializerList()) {
                HostTensor w = weights.get(t.getName());
                if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
                    assertTrue(t.getRawData().size() < 1024, t.getName() + ": only small tensors stay inside");
                    continue;
                }
                externals++;
                Map<String, String> entries = new HashMap<>();
                for (StringStringEntryProto e : t.getExternalDataList()) {
                    entries.put(e.getKey(), e.getValue());
                }
                assertEquals("model.onnx.data", entries.get("location"), t.getName());
                long offset = Long.parseLong(entries.get("offset"));
                long length = Long.parseLong(entries.get("length"));
                assertEquals(0, offset % 65536, t.getName() + " offset " + offset + " is 64 KiB-aligned");
                assertTrue(t.getRawData().isEmpty(), t.getName() + " has no raw data inside");
                if (w != null) {
                    assertEquals(4L * w.shape().size(), length, t.getName());
                    ByteBuffer b = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
                    ch.read(b, offset);
                    b.flip();
                    float[] stored = new float[w.shape().size()];
                    b.asFloatBuffer().get(stored);
                    assertArrayEquals(w.floats(), stored, t.getName() + ": the bytes at its offset are the weight");
                }
            }
        }
        long big = weights.values().stream().filter(w -> 4L * w.shape().size() >= 1024).count();
        assertTrue(big >= 5 && externals >= big, externals + " external tensors; " + big + " weights of 1 KiB or more");

        int[][] ids = TinyModels.ids(2, 6, config.vocabSize(), 9);
        try (OnnxModel one = OnnxModel.open(inline); OnnxModel two = OnnxModel.open(external)) {
            assertArrayEquals(one.logits(ids).floats(), two.logits(ids).floats(), "same graph, same numbers");
            try (OnnxKvCache a = one.newCache(2); OnnxKvCache b = two.newCache(2)) {
                assertArrayEquals(one.step(ids, a).floats(), two.step(ids, b).floats());
                int[][] next = {{1}, {2}};
                assertArrayEquals(one.step(next, a).floats(), two.step(next, b).floats());
            }
        }

        OnnxExporter.export(config, weights, null, external);
        assertFalse(Files.exists(data), "exporting again into one file removes the stale data file");
        OnnxModel.open(external).close();
    }

    @Test
    void aThresholdPropertyThatIsNotANumberOfBytesIsRefused() {
        GptConfig config = TinyModels.gptPreLn(SIZES).build();
        Map<String, HostTensor> weights = TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 3);
        System.setProperty(OnnxExporter.EXTERNAL_DATA_THRESHOLD_PROPERTY, "2GB");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OnnxExporter.export(config, weights, null, tmp.resolve("x")));
            assertTrue(e.getMessage().contains(OnnxExporter.EXTERNAL_DATA_THRESHOLD_PROPERTY + "=2GB"), e.getMessage());
        } finally {
            System.clearProperty(OnnxExporter.EXTERNAL_DATA_THRESHOLD_PROPERTY);
        }
    }
}
