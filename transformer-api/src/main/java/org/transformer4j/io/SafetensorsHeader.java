package org.transformer4j.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validated header of a safetensors file: every tensor's dtype, shape and byte range (sorted by offset,
 * tiling the data section exactly) and the metadata. Parsing checks everything before any tensor is allocated.
 */
record SafetensorsHeader(List<Entry> entries, Map<String, String> metadata, long dataStart) {

    /** Largest header accepted: a header is a few KB to MB; anything bigger is corrupt or hostile. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    static final String METADATA_KEY = "__metadata__";

    /** Where a tensor's bytes lie, relative to the data section. */
    record Entry(String name, SafetensorsDType dtype, int[] shape, long begin, long end) {
        int elements() {
            return (int) ((end - begin) / dtype.byteSize);
        }
    }

    private static final JsonFactory PLAIN = new JsonFactory();
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Reads and validates the length prefix and header of {@code file}; fails on any breach of the format. */
    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new CheckpointFormatException(file, "file is " + fileSize + " bytes long, too short for the"
                    + " 8-byte header length prefix: it is truncated or not a safetensors file");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, channel, prefix, 0);
        long n = prefix.getLong(0);
        if (Long.compareUnsigned(n, MAX_HEADER_BYTES) > 0) {
            throw new CheckpointFormatException(file, "header length " + Long.toUnsignedString(n)
                    + " bytes is over the limit of " + MAX_HEADER_BYTES + " bytes: the file is corrupt"
                    + " or not a safetensors file");
        }
        if (n > fileSize - 8) {
            throw new CheckpointFormatException(file, "header length " + n + " bytes runs past the end of the file ("
                    + fileSize + " bytes, so at most " + (fileSize - 8) + " header bytes): the file is truncated");
        }
        ByteBuffer raw = ByteBuffer.allocate((int) n);
        readFully(file, channel, raw, 8);
        JsonNode root = parseJson(file, decodeUtf8(file, raw.flip()));
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, field.getValue());
            } else {
                entries.add(entry(file, field.getKey(), field.getValue()));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        checkTiling(file, entries, fileSize - 8 - n);
        return new SafetensorsHeader(List.copyOf(entries), Collections.unmodifiableMap(metadata), 8 + n);
    }

    static void readFully(Path file, FileChannel channel, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int r = channel.read(dst, pos);
            if (r < 0) {
                throw new CheckpointFormatException(file, "file ended at byte " + pos + " while " + dst.remaining()
                        + " more bytes were expected (was it truncated while being read?)");
            }
            pos += r;
        }
    }

    private static String decodeUtf8(Path file, ByteBuffer raw) throws CheckpointFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(raw.remaining());
        CoderResult result = decoder.decode(raw, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new CheckpointFormatException(file, String.format("header is not valid UTF-8: bad byte 0x%02X at"
                    + " header offset %d (file offset %d)", raw.get(raw.position()) & 0xFF, raw.position(),
                    8 + raw.position()));
        }
        return out.flip().toString();
    }

    private static JsonNode parseJson(Path file, String text) throws CheckpointFormatException {
        try {
            checkStructure(file, text);
            return STRICT.readTree(text);
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new CheckpointFormatException(file, "header is not valid JSON: " + e.getOriginalMessage() + where, e);
        } catch (IOException e) {
            throw new CheckpointFormatException(file, "header could not be parsed: " + e, e);
        }
    }

    /** The root must be one JSON object; no key may appear twice in any object (a later one would hide the first). */
    private static void checkStructure(Path file, String text) throws IOException {
        try (JsonParser p = PLAIN.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new CheckpointFormatException(file, "header must be a JSON object {\"name\": {...}, ...} but "
                        + (first == null ? "is empty" : "starts with " + describe(first)));
            }
            Deque<Set<String>> open = new ArrayDeque<>();
            for (JsonToken t = first; t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT -> open.push(new HashSet<>());
                    case END_OBJECT -> open.pop();
                    case FIELD_NAME -> {
                        String key = p.currentName();
                        if (!open.peek().add(key)) {
                            throw new CheckpointFormatException(file, open.size() == 1
                                    ? "duplicate tensor name '" + key + "' in the header: each name must appear once"
                                    : "duplicate key '" + key + "' at " + p.getParsingContext().pathAsPointer()
                                            + " in the header");
                        }
                    }
                    default -> { }
                }
                if (open.isEmpty() && p.nextToken() != null) {
                    throw new CheckpointFormatException(file, "header has content after its JSON object, at line "
                            + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr());
                }
                if (open.isEmpty()) {
                    break;
                }
            }
        }
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "an array '['";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    private static Map<String, String> metadata(Path file, JsonNode node) throws CheckpointFormatException {
        if (!node.isObject()) {
            throw new CheckpointFormatException(file, METADATA_KEY + " must be an object of string values but is "
                    + kind(node));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CheckpointFormatException(file, METADATA_KEY + " key '" + e.getKey() + "' has " + kind(e.getValue())
                        + " value " + e.getValue() + "; metadata values must be strings");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static Entry entry(Path file, String name, JsonNode node) throws CheckpointFormatException {
        String at = "tensor '" + name + "': ";
        if (!node.isObject()) {
            throw new CheckpointFormatException(file, at + "entry must be an object with dtype, shape and data_offsets"
                    + " but is " + kind(node));
        }
        JsonNode dtypeNode = field(file, at, node, "dtype");
        if (!dtypeNode.isTextual()) {
            throw new CheckpointFormatException(file, at + "\"dtype\" must be a string but is " + kind(dtypeNode));
        }
        SafetensorsDType dtype = SafetensorsDType.parse(dtypeNode.textValue());
        if (dtype == null) {
            throw new CheckpointFormatException(file, at + "dtype \"" + dtypeNode.textValue()
                    + "\" is not supported; supported dtypes: " + SafetensorsDType.supported());
        }
        long[] dims = longs(file, at, field(file, at, node, "shape"), "shape", -1);
        long[] offsets = longs(file, at, field(file, at, node, "data_offsets"), "data_offsets", 2);
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new CheckpointFormatException(file, at + "shape " + Arrays.toString(dims)
                        + " has a negative dimension (" + dims[i] + " at index " + i + ")");
            }
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < 0) {
            throw new CheckpointFormatException(file, at + "data_offsets " + Arrays.toString(offsets) + " are negative");
        }
        if (begin > end) {
            throw new CheckpointFormatException(file, at + "data_offsets " + Arrays.toString(offsets)
                    + " begin after they end");
        }
        long elements;
        long bytes;
        try {
            elements = 1;
            for (long d : dims) {
                elements = Math.multiplyExact(elements, d);
            }
            bytes = Math.multiplyExact(elements, (long) dtype.byteSize);
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(file, at + "shape " + Arrays.toString(dims)
                    + " overflows: its byte size does not fit in 64 bits");
        }
        if (bytes != end - begin) {
            throw new CheckpointFormatException(file, at + "shape " + Arrays.toString(dims) + " of " + dtype + " needs "
                    + bytes + " bytes but data_offsets " + Arrays.toString(offsets) + " span " + (end - begin));
        }
        if (elements > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(file, at + "shape " + Arrays.toString(dims) + " has " + elements
                    + " elements, more than a Java array holds (" + Integer.MAX_VALUE + "); split the tensor");
        }
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = (int) dims[i]; // each dimension <= elements <= Integer.MAX_VALUE, unless one is 0
            if (shape[i] != dims[i]) {
                throw new CheckpointFormatException(file, at + "shape " + Arrays.toString(dims) + " has dimension "
                        + dims[i] + ", more than a Java array holds (" + Integer.MAX_VALUE + ")");
            }
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static JsonNode field(Path file, String at, JsonNode entry, String key) throws CheckpointFormatException {
        JsonNode value = entry.get(key);
        if (value == null) {
            throw new CheckpointFormatException(file, at + "missing \"" + key + "\"; an entry needs dtype, shape and"
                    + " data_offsets");
        }
        return value;
    }

    private static long[] longs(Path file, String at, JsonNode node, String key, int length)
            throws CheckpointFormatException {
        String want = length < 0 ? "an array of integers" : "an array of " + length + " integers";
        if (!node.isArray() || (length >= 0 && node.size() != length)) {
            throw new CheckpointFormatException(file, at + "\"" + key + "\" must be " + want + " but is " + node);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new CheckpointFormatException(file, at + "\"" + key + "\" must be " + want + " within 64 bits"
                        + " but element " + i + " is " + v);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** Sorted by begin, the ranges must follow each other with no overlap and no hole, and end where the file ends. */
    private static void checkTiling(Path file, List<Entry> sorted, long dataSize) throws CheckpointFormatException {
        long expected = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            String range = "tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end + "]";
            if (e.begin < expected) {
                throw new CheckpointFormatException(file, range + " overlap tensor '" + previous.name + "' ["
                        + previous.begin + ", " + previous.end + "]");
            }
            if (e.begin > expected) {
                throw new CheckpointFormatException(file, range + " leave a hole: data bytes [" + expected + ", "
                        + e.begin + ") belong to no tensor");
            }
            if (e.end > dataSize) {
                throw new CheckpointFormatException(file, range + " run past the end of the data section ("
                        + dataSize + " bytes): the file is truncated or the offsets are wrong");
            }
            expected = e.end;
            previous = e;
        }
        if (expected < dataSize) {
            throw new CheckpointFormatException(file, "file has " + (dataSize - expected) + " trailing bytes after"
                    + " the last tensor: the data section holds " + dataSize + " bytes but the tensors cover "
                    + expected);
        }
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
}
