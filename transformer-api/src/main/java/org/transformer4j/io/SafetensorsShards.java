package org.transformer4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.transformer4j.tensor.HostTensor;

/**
 * A sharded safetensors checkpoint as Hugging Face writes it: {@code model.safetensors.index.json}
 * ({@code {"metadata": {...}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors", ...}}}) next to
 * the shard files. Reading checks the index against every shard's header (each listed tensor in its shard, nothing
 * in a shard that the index does not list, shard names plain file names in the same directory) and fails with a
 * {@link CheckpointFormatException} naming the index or shard and the tensor.
 */
public final class SafetensorsShards {
    /** Hugging Face's name of the index file. */
    public static final String INDEX = "model.safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsShards() {
    }

    /**
     * The tensors of every shard listed by {@code indexFile}, in the index's order.
     *
     * @param indexFile a {@code model.safetensors.index.json}
     * @return the tensors by name
     * @throws IOException when a file cannot be read ({@link CheckpointFormatException} when the index and the shards disagree)
     */
    public static Map<String, HostTensor> read(Path indexFile) throws IOException {
        Objects.requireNonNull(indexFile, "indexFile");
        Map<String, String> weightMap = weightMap(indexFile);
        Map<String, List<String>> byShard = new LinkedHashMap<>();
        weightMap.forEach((tensor, shard) -> byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(tensor));
        Path dir = indexFile.toAbsolutePath().getParent();
        Map<String, HostTensor> loaded = new LinkedHashMap<>();
        for (var e : byShard.entrySet()) {
            Path shard = dir.resolve(e.getKey());
            if (!Files.isRegularFile(shard)) {
                throw new CheckpointFormatException(indexFile, "shard '" + e.getKey() + "' (holding '"
                        + e.getValue().getFirst() + "') is not in " + dir + "; the checkpoint is incomplete");
            }
            Map<String, HostTensor> tensors = Safetensors.read(shard).tensors();
            for (String name : e.getValue()) {
                if (!tensors.containsKey(name)) {
                    throw new CheckpointFormatException(shard, "the index " + INDEX + " puts '" + name
                            + "' in this shard but it is not there; the shard and the index do not belong together");
                }
            }
            for (var t : tensors.entrySet()) {
                String listed = weightMap.get(t.getKey());
                if (!e.getKey().equals(listed)) {
                    throw new CheckpointFormatException(shard, "'" + t.getKey() + "' is in this shard but the index "
                            + INDEX + (listed == null ? " does not list it" : " puts it in '" + listed + "'")
                            + "; the shard and the index do not belong together");
                }
                loaded.put(t.getKey(), t.getValue());
            }
        }
        Map<String, HostTensor> ordered = new LinkedHashMap<>();
        weightMap.keySet().forEach(name -> ordered.put(name, loaded.get(name)));
        return ordered;
    }

    /**
     * Writes {@code tensors} as shards of at most {@code maxShardBytes} each (a tensor is never split) named
     * {@code model-0000i-of-0000n.safetensors}, then the index, each file atomically.
     *
     * @param dir the directory to write into
     * @param tensors the tensors by name
     * @param metadata the {@code __metadata__} strings every shard carries (the index holds the total size)
     * @param maxShardBytes the largest shard's data size; a tensor larger than this gets a shard of its own
     * @return the files written, the index last
     * @throws IOException when a file cannot be written
     */
    public static List<Path> write(Path dir, Map<String, HostTensor> tensors, Map<String, String> metadata,
                                   long maxShardBytes) throws IOException {
        List<Map<String, HostTensor>> shards = new ArrayList<>();
        Map<String, HostTensor> current = new LinkedHashMap<>();
        long bytes = 0;
        long total = 0;
        for (var e : tensors.entrySet()) {
            long size = (long) e.getValue().shape().size() * e.getValue().dtype().byteSize();
            if (!current.isEmpty() && bytes + size > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                bytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            bytes += size;
            total += size;
        }
        shards.add(current);
        var index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        var map = index.putObject("weight_map");
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format(java.util.Locale.ROOT, "model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path file = dir.resolve(name);
            Safetensors.write(file, shards.get(i), metadata);
            shards.get(i).keySet().forEach(t -> map.put(t, name));
            written.add(file);
        }
        Path indexFile = dir.resolve(INDEX);
        AtomicFiles.writeString(indexFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(index) + "\n");
        written.add(indexFile);
        return written;
    }

    private static Map<String, String> weightMap(Path indexFile) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(indexFile));
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(indexFile, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new CheckpointFormatException(indexFile, "no \"weight_map\" object naming each tensor's shard");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            String shard = e.getValue().isTextual() ? e.getValue().asText() : null;
            if (shard == null || shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                throw new CheckpointFormatException(indexFile, "weight_map entry '" + e.getKey() + "' is " + e.getValue()
                        + ": a shard must be a file name in the index's directory");
            }
            out.put(e.getKey(), shard);
        }
        return out;
    }
}
