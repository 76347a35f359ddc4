package org.transformer4j.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The safetensors element types this reader understands, with their byte sizes; F16 and BF16 load as float32. */
enum SafetensorsDType {
    F32(4),
    F16(2),
    BF16(2),
    I32(4),
    I64(8);

    final int byteSize;

    SafetensorsDType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** The type named {@code name} in a header, or null when it is not supported. */
    static SafetensorsDType parse(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** "F32, F16, BF16, I32, I64": for error messages. */
    static String supported() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
