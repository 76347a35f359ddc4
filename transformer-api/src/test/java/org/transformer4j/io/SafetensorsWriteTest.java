package org.transformer4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/** Writing: round trips, the exact bytes against the spec, determinism, failures naming the path. */
class SafetensorsWriteTest {
    @TempDir
    Path dir;

    private static Map<String, HostTensor> sample() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("transformer.wte.weight", HostTensor.ofFloats(Shape.of(2, 3),
                new float[] {0.5f, -1.25f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, -0.0f}));
        m.put("ids", HostTensor.ofInts(Shape.of(4), new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}));
        m.put("step", HostTensor.ofLongs(Shape.scalar(), new long[] {Long.MIN_VALUE + 7}));
        m.put("empty", HostTensor.ofFloats(Shape.of(0, 3), new float[0]));
        m.put("emptyIds", HostTensor.ofLongs(Shape.of(3, 0), new long[0]));
        m.put("bias", HostTensor.scalar(3.5f));
        return m;
    }

    @Test
    void roundTripsTensorsAndMetadataInOrder() throws Exception {
        Path path = dir.resolve("model.safetensors");
        Map<String, String> meta = Map.of("format", "pt", "note", "\u00e9t\u00e9 \"quoted\"");
        Safetensors.write(path, sample(), meta);

        SafetensorsFile back = Safetensors.read(path);

        assertEquals(List.copyOf(sample().keySet()), List.copyOf(back.tensors().keySet()));
        for (var e : sample().entrySet()) {
            assertEquals(e.getValue(), back.tensor(e.getKey()), e.getKey());
        }
        assertEquals(meta, back.metadata());
    }

    @Test
    void writesTheBytesTheSpecDescribes() throws Exception {
        Path path = dir.resolve("spec.safetensors");
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("w", HostTensor.ofFloats(Shape.of(2), new float[] {1.0f, -2.0f}));
        m.put("n", HostTensor.ofLongs(Shape.of(1), new long[] {258}));
        Safetensors.write(path, m, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(path);

        long n = 0;
        for (int i = 7; i >= 0; i--) {
            n = (n << 8) | (bytes[i] & 0xFF);
        }
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"), header);
        assertTrue(header.substring(header.lastIndexOf('}') + 1).chars().allMatch(c -> c == ' '),
                "padding is trailing spaces only: [" + header + "]");
        JsonNode json = new ObjectMapper().readTree(header);
        assertEquals("F32", json.get("w").get("dtype").asText());
        assertEquals("[2]", json.get("w").get("shape").toString());
        assertEquals("[0,8]", json.get("w").get("data_offsets").toString());
        assertEquals("I64", json.get("n").get("dtype").asText());
        assertEquals("[8,16]", json.get("n").get("data_offsets").toString());
        assertEquals("v", json.get("__metadata__").get("k").asText());
        byte[] data = Arrays.copyOfRange(bytes, 8 + (int) n, bytes.length);
        // 1.0f = 0x3F800000, -2.0f = 0xC0000000, 258 = 0x0102, all little-endian.
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0, 2, 1, 0, 0, 0, 0, 0, 0}, data);
    }

    @Test
    void sameInputGivesSameBytes() throws Exception {
        Map<String, String> meta1 = new LinkedHashMap<>();
        meta1.put("b", "2");
        meta1.put("a", "1");
        Map<String, String> meta2 = new HashMap<>();
        meta2.put("a", "1");
        meta2.put("b", "2");
        Path p1 = dir.resolve("one.safetensors");
        Path p2 = dir.resolve("two.safetensors");
        Safetensors.write(p1, sample(), meta1);
        Safetensors.write(p2, sample(), meta2);
        assertArrayEquals(Files.readAllBytes(p1), Files.readAllBytes(p2));
    }

    @Test
    void overwritesAnExistingCheckpoint() throws Exception {
        Path path = dir.resolve("model.safetensors");
        Safetensors.write(path, sample(), Map.of());
        Map<String, HostTensor> smaller = Map.of("x", HostTensor.scalar(1f));
        Safetensors.write(path, smaller, Map.of());
        assertEquals(smaller, Safetensors.read(path).tensors());
        assertEquals(List.of(path.getFileName()), Files.list(dir).map(Path::getFileName).toList());
    }

    @Test
    void failsNamingThePathWhenTheParentIsAFile() throws Exception {
        Path notADir = Files.writeString(dir.resolve("plain.txt"), "x");
        Path target = notADir.resolve("model.safetensors");
        IOException e = assertThrows(IOException.class, () -> Safetensors.write(target, sample(), Map.of()));
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
    }

    @Test
    void rejectsTheReservedName() {
        Map<String, HostTensor> m = Map.of("__metadata__", HostTensor.scalar(1f));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(dir.resolve("x.safetensors"), m, Map.of()));
        assertTrue(e.getMessage().contains("__metadata__"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.safetensors");
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
