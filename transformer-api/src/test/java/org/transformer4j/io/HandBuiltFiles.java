package org.transformer4j.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds safetensors bytes by hand, byte by byte from the spec, independently of {@link Safetensors#write}. */
final class HandBuiltFiles {
    private HandBuiltFiles() {
    }

    /** The 8-byte little-endian length of {@code header}'s UTF-8 bytes, the header, then {@code data}. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return concat(u64(h.length), h, data);
    }

    /** {@code value} as 8 little-endian bytes (unsigned interpretation is the reader's business). */
    static byte[] u64(long value) {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (value >>> (8 * i));
        }
        return out;
    }

    static byte[] f32(float... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (float v : values) {
            int bits = Float.floatToRawIntBits(v);
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
        }
        return out.toByteArray();
    }

    /** Each value's low 16 bits as 2 little-endian bytes (F16, BF16). */
    static byte[] u16(int... values) {
        byte[] out = new byte[2 * values.length];
        for (int i = 0; i < values.length; i++) {
            out[2 * i] = (byte) values[i];
            out[2 * i + 1] = (byte) (values[i] >>> 8);
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
