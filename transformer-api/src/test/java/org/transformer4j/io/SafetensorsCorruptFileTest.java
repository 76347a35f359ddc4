package org.transformer4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.io.HandBuiltFiles.concat;
import static org.transformer4j.io.HandBuiltFiles.f32;
import static org.transformer4j.io.HandBuiltFiles.file;
import static org.transformer4j.io.HandBuiltFiles.u64;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Corrupt, truncated and hostile files: each must fail with {@link CheckpointFormatException} whose message
 * names the file and the specific problem, never with OutOfMemoryError or a wrong tensor.
 */
class SafetensorsCorruptFileTest {
    @TempDir
    Path dir;

    /** A valid two-tensor file: a F32 [2] at [0,8) and b F32 [1] at [8,12). */
    private static final String GOOD_HEADER = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
    private static final byte[] GOOD = file(GOOD_HEADER, f32(1f, 2f, 3f));

    private static String one(String entry) {
        return "{\"t\":" + entry + "}";
    }

    private static Arguments bad(String name, byte[] bytes, String... expected) {
        return Arguments.of(name, bytes, List.of(expected));
    }

    static Stream<Arguments> corruptFiles() {
        int headerLen = GOOD_HEADER.getBytes(StandardCharsets.UTF_8).length;
        byte[] badUtf8 = file(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"), f32(1f));
        badUtf8[10] = (byte) 0xFF; // inside the name "t" -> byte 8 is '{', 9 '"', 10 't'
        return Stream.of(
                bad("empty file", new byte[0], "0 bytes long", "8-byte header length prefix"),
                bad("truncated inside the length prefix", Arrays.copyOf(GOOD, 5), "5 bytes long", "too short"),
                bad("header length 2^63", concat(u64(Long.MIN_VALUE), new byte[64]),
                        "header length 9223372036854775808", "over the limit"),
                bad("header length 2^64-1", concat(u64(-1L), new byte[64]),
                        "header length 18446744073709551615", "over the limit"),
                bad("header length past the file end", concat(u64(1000), "{}".getBytes(StandardCharsets.UTF_8)),
                        "header length 1000", "runs past the end of the file (10 bytes"),
                bad("truncated inside the header", Arrays.copyOf(GOOD, 8 + headerLen / 2),
                        "header length " + headerLen, "runs past the end of the file", "truncated"),
                bad("truncated inside the data", Arrays.copyOf(GOOD, GOOD.length - 2),
                        "tensor 'b' data_offsets [8, 12] run past the end of the data section (10 bytes)"),
                bad("trailing bytes after the data", concat(GOOD, new byte[] {0, 0, 0}),
                        "3 trailing bytes", "holds 15 bytes but the tensors cover 12"),
                bad("non-UTF-8 header", badUtf8, "not valid UTF-8", "0xFF at header offset 2"),
                bad("non-JSON header", file("hello world!", new byte[0]), "not valid JSON", "line 1"),
                bad("malformed JSON", file("{\"t\":{\"dtype\":\"F32\",", new byte[0]), "not valid JSON"),
                bad("JSON array", file("[1, 2, 3]", new byte[0]), "must be a JSON object", "starts with an array"),
                bad("empty header", file("", new byte[0]), "must be a JSON object", "is empty"),
                bad("content after the object", file("{} {}", new byte[0]), "content after its JSON object"),
                bad("overlapping offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", f32(1f, 2f, 3f)),
                        "tensor 'b' data_offsets [4, 12] overlap tensor 'a' [0, 8]"),
                bad("gap between tensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", f32(1f, 2f, 3f)),
                        "tensor 'b' data_offsets [8, 12] leave a hole", "[4, 8) belong to no tensor"),
                bad("data not starting at 0", file(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}"),
                        f32(1f, 2f)), "leave a hole", "[0, 4)"),
                bad("shape x dtype mismatch", file(one("{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}"),
                        f32(1f, 2f)), "tensor 't'", "shape [3] of F32 needs 12 bytes", "[0, 8] span 8"),
                bad("unknown dtype", file(one("{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}"),
                        new byte[1]), "dtype \"F8_E4M3\" is not supported", "F32, F16, BF16, I32, I64"),
                bad("duplicate tensor names", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f32(1f, 2f)),
                        "duplicate tensor name 'a'"),
                bad("duplicate field in an entry", file(one("{\"dtype\":\"F32\",\"dtype\":\"I32\",\"shape\":[1],"
                        + "\"data_offsets\":[0,4]}"), f32(1f)), "duplicate key 'dtype' at /t/dtype"),
                bad("negative dimension", file(one("{\"dtype\":\"F32\",\"shape\":[2,-3],\"data_offsets\":[0,0]}"),
                        new byte[0]), "negative dimension (-3 at index 1)"),
                bad("shape product overflow", file(one("{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                        + "\"data_offsets\":[0,0]}"), new byte[0]), "shape [4294967296, 4294967296] overflows"),
                bad("more elements than a Java array", file(one("{\"dtype\":\"F32\",\"shape\":[65536,32768],"
                        + "\"data_offsets\":[0,8589934592]}"), new byte[0]),
                        "2147483648 elements, more than a Java array holds (2147483647)"),
                bad("begin after end", file(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}"),
                        f32(1f, 2f)), "data_offsets [8, 4] begin after they end"),
                bad("missing data_offsets", file(one("{\"dtype\":\"F32\",\"shape\":[1]}"), f32(1f)),
                        "tensor 't': missing \"data_offsets\""),
                bad("dtype not a string", file(one("{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}"), f32(1f)),
                        "\"dtype\" must be a string but is number"),
                bad("fractional offset", file(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.5]}"),
                        f32(1f)), "\"data_offsets\" must be an array of 2 integers", "element 1 is 4.5"),
                bad("entry not an object", file(one("[1]"), new byte[0]), "tensor 't'", "but is array"),
                bad("metadata value not a string", file("{\"__metadata__\":{\"epoch\":3}}", new byte[0]),
                        "__metadata__ key 'epoch' has number value 3"),
                bad("metadata not an object", file("{\"__metadata__\":\"pt\"}", new byte[0]),
                        "__metadata__ must be an object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptFiles")
    void rejectsWithAMessageNamingFileAndProblem(String name, byte[] bytes, List<String> expected) throws Exception {
        Path path = dir.resolve(name.replace(' ', '_') + ".safetensors");
        Files.write(path, bytes);

        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Safetensors.read(path));

        assertEquals(path, e.file());
        assertTrue(e.getMessage().startsWith(path + ": "), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf(path.toString(), 1), "file named once: " + e.getMessage());
        for (String part : expected) {
            assertTrue(e.getMessage().contains(part), "expected \"" + part + "\" in: " + e.getMessage());
        }
    }

    /**
     * A file cut at any byte (inside the length prefix, the header, or any tensor's data) is refused with the file
     * named, never read as a shorter checkpoint: every prefix of a written three-tensor file with metadata is tried.
     */
    @org.junit.jupiter.api.Test
    void aFileTruncatedAtAnyByteIsRefused() throws Exception {
        Path whole = dir.resolve("whole.safetensors");
        java.util.Map<String, org.transformer4j.tensor.HostTensor> tensors = new java.util.LinkedHashMap<>();
        tensors.put("a", org.transformer4j.tensor.HostTensor.ofFloats(org.transformer4j.tensor.Shape.of(2, 3),
                new float[] {1, 2, 3, 4, 5, 6}));
        tensors.put("ids", org.transformer4j.tensor.HostTensor.ofInts(org.transformer4j.tensor.Shape.of(3),
                new int[] {7, 8, 9}));
        tensors.put("b", org.transformer4j.tensor.HostTensor.ofFloats(org.transformer4j.tensor.Shape.of(1),
                new float[] {0.5f}));
        Safetensors.write(whole, tensors, java.util.Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(whole);
        assertEquals(tensors.get("a"), Safetensors.read(whole).tensors().get("a"));
        Path cut = dir.resolve("cut.safetensors");
        for (int length = 0; length < bytes.length; length++) {
            Files.write(cut, Arrays.copyOf(bytes, length));
            int at = length;
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Safetensors.read(cut),
                    () -> "cut at byte " + at + " of " + bytes.length);
            assertEquals(cut, e.file());
            assertTrue(e.getMessage().startsWith(cut + ": "), e.getMessage());
        }
    }
}
