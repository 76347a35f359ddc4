package org.transformer4j.onnx.export;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.transformer4j.tensor.HostTensor;

/**
 * The ONNX external data file of one graph ({@code model.onnx.data} beside {@code model.onnx}): initializers whose
 * data would not fit protobuf's 2 GiB limit on one file are laid out here, each at an offset that is a multiple of
 * {@link #ALIGNMENT} (so ONNX Runtime can map it), and their {@code TensorProto} only names the file, offset and
 * length ({@code data_location} EXTERNAL), as the ONNX specification's external data describes. ONNX Runtime finds
 * the file relative to the model file.
 */
final class ExternalData {
    /** Each tensor starts at a multiple of this: 64 KiB, the mapping granularity of every platform ONNX Runtime runs on. */
    static final int ALIGNMENT = 1 << 16;
    /** Floats written per chunk, so a tensor of any size streams through a small buffer. */
    private static final int CHUNK = 1 << 18;

    private final String location;
    private final List<HostTensor> tensors = new ArrayList<>();
    private final List<Long> offsets = new ArrayList<>();
    private long end;

    /** @param location the data file's name, relative to the model file's directory */
    ExternalData(String location) {
        this.location = location;
    }

    /** Places {@code value}'s data in this file and makes {@code tensor} point at it. */
    void add(TensorProto.Builder tensor, HostTensor value) {
        long length = (long) value.shape().size() * value.dtype().byteSize();
        long offset = (end + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        tensor.setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(length)));
        tensors.add(value);
        offsets.add(offset);
        end = offset + length;
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** True when no tensor was placed here (then no file is written). */
    boolean isEmpty() {
        return tensors.isEmpty();
    }

    /** The file's size in bytes. */
    long size() {
        return end;
    }

    /** Writes the file's bytes: each tensor little-endian at its offset, zeros between. */
    void writeTo(OutputStream out) throws IOException {
        long at = 0;
        byte[] zeros = new byte[ALIGNMENT];
        ByteBuffer buf = ByteBuffer.allocate(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < tensors.size(); i++) {
            long offset = offsets.get(i);
            while (at < offset) {
                int n = (int) Math.min(zeros.length, offset - at);
                out.write(zeros, 0, n);
                at += n;
            }
            HostTensor t = tensors.get(i);
            int n = t.shape().size();
            for (int from = 0; from < n; from += CHUNK) {
                int to = Math.min(n, from + CHUNK);
                buf.clear();
                switch (t.dtype()) {
                    case FLOAT32 -> buf.asFloatBuffer().put(t.floats(), from, to - from);
                    case INT32 -> buf.asIntBuffer().put(t.ints(), from, to - from);
                    case INT64 -> buf.asLongBuffer().put(t.longs(), from, to - from);
                }
                int bytes = (to - from) * t.dtype().byteSize();
                out.write(buf.array(), 0, bytes);
                at += bytes;
            }
        }
    }
}
