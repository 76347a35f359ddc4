package org.transformer4j.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * Reads and writes Hugging Face safetensors checkpoints: an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian row-major data.
 * Reading validates the whole header before allocating tensors and fails with {@link CheckpointFormatException}
 * on any corrupt or hostile file; F16 and BF16 tensors load as float32. Writing is atomic (see {@link AtomicFiles})
 * and deterministic.
 */
public final class Safetensors {
    private static final int CHUNK_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {
    }

    /**
     * Loads every tensor and the metadata of {@code file}.
     *
     * @param file a {@code .safetensors} file
     * @return the tensors, in file order, and the metadata
     * @throws IOException when the file cannot be read ({@link CheckpointFormatException} when it breaks the format)
     */
    public static SafetensorsFile read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            SafetensorsHeader header = SafetensorsHeader.read(file, channel);
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            // one read buffer for the whole file: the tensors are the only allocations that stay
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (SafetensorsHeader.Entry e : header.entries()) {
                tensors.put(e.name(), readTensor(file, channel, header.dataStart(), e, buf));
            }
            return new SafetensorsFile(tensors, header.metadata());
        } catch (NoSuchFileException e) {
            NoSuchFileException named = new NoSuchFileException(file.toString(), null, "no checkpoint file here");
            named.initCause(e);
            throw named;
        }
    }

    private static HostTensor readTensor(Path file, FileChannel channel, long dataStart, SafetensorsHeader.Entry e,
                                         ByteBuffer buf) throws IOException {
        int n = e.elements();
        Shape shape = Shape.of(e.shape());
        float[] floats = e.dtype() == SafetensorsDType.I32 || e.dtype() == SafetensorsDType.I64 ? null : new float[n];
        int[] ints = e.dtype() == SafetensorsDType.I32 ? new int[n] : null;
        long[] longs = e.dtype() == SafetensorsDType.I64 ? new long[n] : null;
        int size = e.dtype().byteSize;
        int done = 0;
        long position = dataStart + e.begin();
        while (done < n) {
            int count = Math.min(n - done, CHUNK_BYTES / size);
            buf.clear().limit(count * size);
            SafetensorsHeader.readFully(file, channel, buf, position);
            buf.flip();
            position += (long) count * size;
            switch (e.dtype()) {
                case F32 -> buf.asFloatBuffer().get(floats, done, count);
                case I32 -> buf.asIntBuffer().get(ints, done, count);
                case I64 -> buf.asLongBuffer().get(longs, done, count);
                case F16 -> {
                    for (int i = 0; i < count; i++) {
                        floats[done + i] = halfToFloat(buf.getShort(2 * i));
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < count; i++) {
                        floats[done + i] = bfloat16ToFloat(buf.getShort(2 * i));
                    }
                }
            }
            done += count;
        }
        return floats != null ? HostTensor.ofFloats(shape, floats)
                : ints != null ? HostTensor.ofInts(shape, ints) : HostTensor.ofLongs(shape, longs);
    }

    /** IEEE 754 binary16 bits to float32: exact, subnormals, infinities and NaN included. */
    static float halfToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** bfloat16 bits to float32: exact, as bfloat16 is the top half of a float32. */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Atomically writes {@code tensors} (in map order; FLOAT32, INT32 and INT64 as F32, I32 and I64) and
     * {@code metadata} (sorted by key, omitted when empty) to {@code file}. The same input gives the same bytes.
     *
     * @param file the file to write
     * @param tensors the tensors by name
     * @param metadata the {@code __metadata__} strings; may be empty
     * @throws IOException when the file cannot be written; the previous file, if any, is then unchanged
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(prefix.array());
            out.write(header);
            for (HostTensor t : tensors.values()) {
                writeData(out, t);
            }
        });
    }

    /** The JSON header padded with spaces to a multiple of 8 bytes, so the data section starts aligned. */
    private static byte[] header(Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                meta.put(e.getKey(), Objects.requireNonNull(e.getValue(), () -> "metadata value of " + e.getKey()));
            }
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            HostTensor t = Objects.requireNonNull(e.getValue(), () -> "tensor " + name);
            if (name.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor cannot be named " + name + ": the format reserves it");
            }
            long bytes = (long) t.shape().size() * t.dtype().byteSize();
            ObjectNode entry = root.putObject(name);
            entry.put("dtype", switch (t.dtype()) {
                case FLOAT32 -> "F32";
                case INT32 -> "I32";
                case INT64 -> "I64";
            });
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(t.shape().toArray()).forEach(shape::add);
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        if (json.length > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the header of " + tensors.size() + " tensors takes " + json.length
                    + " bytes, over the " + SafetensorsHeader.MAX_HEADER_BYTES + " readers accept; split the checkpoint");
        }
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    private static void writeData(OutputStream out, HostTensor t) throws IOException {
        int n = t.shape().size();
        int size = t.dtype().byteSize();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, (long) n * size))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < n; ) {
            int count = Math.min(n - done, CHUNK_BYTES / size);
            buf.clear();
            switch (t.dtype()) {
                case FLOAT32 -> buf.asFloatBuffer().put(t.floats(), done, count);
                case INT32 -> buf.asIntBuffer().put(t.ints(), done, count);
                case INT64 -> buf.asLongBuffer().put(t.longs(), done, count);
            }
            out.write(buf.array(), 0, count * size);
            done += count;
        }
    }
}
