package org.transformer4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.io.HandBuiltFiles.concat;
import static org.transformer4j.io.HandBuiltFiles.f32;
import static org.transformer4j.io.HandBuiltFiles.file;
import static org.transformer4j.io.HandBuiltFiles.u16;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.Shape;

/** Reading files written by hand from the spec, and the exact F16/BF16 decoding. */
class SafetensorsReadTest {
    @TempDir
    Path dir;

    @Test
    void readsAHandBuiltFileInDataOffsetOrder() throws Exception {
        // JSON order b, c, a; data order a (F32 [2,2]) at 0, b (I64 scalar) at 16, c (I32 [3]) at 24.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[16,24]},"
                + "\"c\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[24,36]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        byte[] data = concat(
                f32(1.0f, -2.5f, 0.1f, 65536.0f),
                new byte[] {(byte) 0xFD, -1, -1, -1, -1, -1, -1, -1},   // int64 -3
                new byte[] {4, 3, 2, 1, 0, 0, 0, (byte) 0x80, -1, -1, -1, 127}); // 0x01020304, MIN, MAX
        Path path = dir.resolve("hand.safetensors");
        Files.write(path, file(header, data));

        SafetensorsFile f = Safetensors.read(path);

        assertEquals(List.of("a", "b", "c"), List.copyOf(f.tensors().keySet()));
        assertEquals(Map.of("format", "pt"), f.metadata());
        assertEquals(Shape.of(2, 2), f.tensor("a").shape());
        assertArrayEquals(new float[] {1.0f, -2.5f, 0.1f, 65536.0f}, f.tensor("a").floats());
        assertEquals(Shape.scalar(), f.tensor("b").shape());
        assertEquals(DType.INT64, f.tensor("b").dtype());
        assertArrayEquals(new long[] {-3}, f.tensor("b").longs());
        assertArrayEquals(new int[] {16909060, Integer.MIN_VALUE, Integer.MAX_VALUE}, f.tensor("c").ints());
    }

    @Test
    void acceptsHeaderPaddedWithSpacesAndUnicodeNames() throws Exception {
        String header = "{\"gewicht.\u00fc\u4e16\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}        ";
        Path path = dir.resolve("padded.safetensors");
        Files.write(path, file(header, f32(7.0f)));

        SafetensorsFile f = Safetensors.read(path);

        assertArrayEquals(new float[] {7.0f}, f.tensor("gewicht.\u00fc\u4e16").floats());
        assertTrue(f.metadata().isEmpty());
    }

    @Test
    void readsAnEmptyCheckpoint() throws Exception {
        Path path = dir.resolve("empty.safetensors");
        Files.write(path, file("{}", new byte[0]));
        assertTrue(Safetensors.read(path).tensors().isEmpty());
    }

    @Test
    void decodesFloat16BitPatternsExactly() throws Exception {
        int[] bits = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x3555, 0x7C00, 0xFC00, 0x8000, 0x7E00, 0xFD01};
        float[] expected = {
            1.0f, -2.0f, 65504.0f,
            (float) Math.pow(2, -24),            // smallest subnormal
            (float) (1023 * Math.pow(2, -24)),   // largest subnormal
            (float) Math.pow(2, -14),            // smallest normal
            (float) ((1 + 341 / 1024.0) / 4),    // exponent 13, mantissa 0x155 = 0.333251953125
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f,
        };
        float[] got = readSingle("F16", u16(bits), bits.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], "f16 0x" + Integer.toHexString(bits[i]));
        }
        assertTrue(Float.isNaN(got[10]), "0x7E00 is a quiet NaN");
        assertTrue(Float.isNaN(got[11]), "0xFD01 is a NaN with the sign set");
    }

    @Test
    void decodesBfloat16BitPatternsExactly() throws Exception {
        int[] bits = {0x3F80, 0xC000, 0x4049, 0x0001, 0x7F7F, 0x7F80, 0xFF80, 0x8000, 0x7FC0};
        float[] expected = {
            1.0f, -2.0f,
            3.140625f,                           // 0x40490000: 2 * (1 + 0x49/128)
            (float) Math.pow(2, -133),           // float32 subnormal 0x00010000 = 2^16 * 2^-149
            (float) (255.0 / 128 * Math.pow(2, 127)), // largest finite bfloat16
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f,
        };
        float[] got = readSingle("BF16", u16(bits), bits.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], "bf16 0x" + Integer.toHexString(bits[i]));
        }
        assertTrue(Float.isNaN(got[8]));
    }

    @Test
    void decodesFloat16LargerThanOneReadChunk() throws Exception {
        int n = 700_000; // 1.4 MB: crosses the reader's 1 MiB chunk
        int[] bits = new int[n];
        for (int i = 0; i < n; i++) {
            bits[i] = i % 2 == 0 ? 0x3C00 : 0xC000;
        }
        float[] got = readSingle("F16", u16(bits), n);
        for (int i = 0; i < n; i++) {
            if (got[i] != (i % 2 == 0 ? 1.0f : -2.0f)) {
                throw new AssertionError("element " + i + " is " + got[i]);
            }
        }
    }

    private float[] readSingle(String dtype, byte[] data, int n) throws Exception {
        String header = "{\"x\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + n + "],\"data_offsets\":[0," + data.length
                + "]}}";
        Path path = dir.resolve(dtype + ".safetensors");
        Files.write(path, file(header, data));
        SafetensorsFile f = Safetensors.read(path);
        assertEquals(DType.FLOAT32, f.tensor("x").dtype());
        return f.tensor("x").floats();
    }
}
