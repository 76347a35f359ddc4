package org.transformer4j.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.model.ConfigException;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.model.ModelConfigJson;
import org.transformer4j.model.ModelDirectory;

/**
 * Checks, when a file is opened, that its graph has the inputs and outputs its config needs (names, element types,
 * ranks, and the fixed sizes: key/value heads and head width of the caches, vocabulary V of the logits), and that a
 * {@code config.json}
 * beside it describes the same model: a file exported for another config, or edited, is refused when it is opened,
 * naming the file, the input and what was expected, not when it is first run.
 */
final class OnnxGraphCheck {
    /** A dynamic axis. */
    private static final long ANY = -1;
    private static final String REEXPORT = "it was exported by another release or for another config, or edited: "
            + "export the model again with `transformer4j export --model DIR --out DIR` (or OnnxExporter)";
    private static final String FOREIGN = "a graph not written by transformer4j is served when its inputs and outputs "
            + "are Hugging Face Optimum's for a decoder with past (input_ids, attention_mask, position_ids, "
            + "past_key_values.N.key/value; logits, present.N.key/value; no use_cache_branch) and fit the config.json "
            + "beside it: export it again so (optimum-cli export onnx --task text-generation-with-past, without the "
            + "merged decoder) or with `transformer4j export`";

    private OnnxGraphCheck() {
    }

    /** One expected input or output: name, element type and dims ({@link #ANY} for a dynamic axis). */
    private record Expected(String name, OnnxJavaType type, long... dims) {
        String describe() {
            StringBuilder sb = new StringBuilder(type == OnnxJavaType.INT64 ? "int64 [" : "float32 [");
            for (int i = 0; i < dims.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(dims[i] == ANY ? "?" : Long.toString(dims[i]));
            }
            return sb.append(']').toString();
        }
    }

    /**
     * Fails unless the graph of {@code file} ({@code kind} {@code gpt}, {@code encoder} or {@code decoder}) fits
     * {@code config}. A file we exported ({@code foreign} false) must also agree with a config.json beside it; a
     * {@code foreign} one (its config is that config.json) is told what Optimum-style inputs and outputs it lacks.
     */
    static void check(Path file, OrtSession session, String kind, ModelConfig config, boolean foreign)
            throws IOException {
        Map<String, Expected> inputs = new LinkedHashMap<>();
        Map<String, Expected> outputs = new LinkedHashMap<>();
        long c = config.embeddingDim();
        long v = config.vocabSize();
        CacheLayout cacheLayout = CacheLayout.of(config);
        switch (kind) {
            case "gpt" -> {
                put(inputs, new Expected(OnnxNames.INPUT_IDS, OnnxJavaType.INT64, ANY, ANY));
                put(inputs, new Expected(OnnxNames.POSITION_IDS, OnnxJavaType.INT64, ANY, ANY));
                put(inputs, new Expected(OnnxNames.ATTENTION_MASK, OnnxJavaType.INT64, ANY, ANY));
                cache(inputs, outputs, cacheLayout);
                put(outputs, new Expected(OnnxNames.LOGITS, OnnxJavaType.FLOAT, ANY, ANY, v));
            }
            case "encoder" -> {
                put(inputs, new Expected(OnnxNames.SRC_IDS, OnnxJavaType.INT64, ANY, ANY));
                put(inputs, new Expected(OnnxNames.SRC_MASK, OnnxJavaType.INT64, ANY, ANY));
                put(outputs, new Expected(OnnxNames.MEMORY, OnnxJavaType.FLOAT, ANY, ANY, c));
            }
            default -> {
                put(inputs, new Expected(OnnxNames.TGT_IDS, OnnxJavaType.INT64, ANY, ANY));
                put(inputs, new Expected(OnnxNames.MEMORY, OnnxJavaType.FLOAT, ANY, ANY, c));
                put(inputs, new Expected(OnnxNames.SRC_MASK, OnnxJavaType.INT64, ANY, ANY));
                cache(inputs, outputs, cacheLayout);
                put(outputs, new Expected(OnnxNames.LOGITS, OnnxJavaType.FLOAT, ANY, ANY, v));
            }
        }
        try {
            String remedy = foreign ? FOREIGN : REEXPORT;
            compare(file, "input", inputs, session.getInputInfo(), config, remedy);
            compare(file, "output", outputs, session.getOutputInfo(), config, remedy);
        } catch (OrtException e) {
            throw new CheckpointFormatException(file, "ONNX Runtime cannot list its inputs and outputs: "
                    + e.getMessage(), e);
        }
        if (!foreign) {
            checkSiblingConfig(file, config);
        }
    }

    private static void cache(Map<String, Expected> inputs, Map<String, Expected> outputs, CacheLayout layout) {
        long h = layout.heads();
        long d = layout.headDim();
        for (int i = 0; i < layout.layers(); i++) {
            put(inputs, new Expected(OnnxNames.pastKey(i), OnnxJavaType.FLOAT, ANY, h, ANY, d));
            put(inputs, new Expected(OnnxNames.pastValue(i), OnnxJavaType.FLOAT, ANY, h, ANY, d));
            put(outputs, new Expected(OnnxNames.presentKey(i), OnnxJavaType.FLOAT, ANY, h, ANY, d));
            put(outputs, new Expected(OnnxNames.presentValue(i), OnnxJavaType.FLOAT, ANY, h, ANY, d));
        }
    }

    private static void put(Map<String, Expected> m, Expected e) {
        m.put(e.name(), e);
    }

    private static void compare(Path file, String what, Map<String, Expected> expected, Map<String, NodeInfo> actual,
            ModelConfig config, String remedy) throws CheckpointFormatException {
        CacheLayout cache = CacheLayout.of(config);
        String sizes = "(its config has vocabulary " + config.vocabSize() + ", width " + config.embeddingDim()
                + ", " + cache.layers() + " layers of " + cache.heads() + " key/value heads of width " + cache.headDim()
                + ")";
        for (Expected e : expected.values()) {
            NodeInfo info = actual.get(e.name());
            if (info == null) {
                throw new CheckpointFormatException(file, "its graph has no " + what + " '" + e.name() + "' (expected "
                        + e.describe() + "; it has " + actual.keySet() + "); " + remedy);
            }
            if (!(info.getInfo() instanceof TensorInfo t) || t.type != e.type() || !fits(t.getShape(), e.dims())) {
                throw new CheckpointFormatException(file, "its graph " + what + " '" + e.name() + "' is "
                        + describe(info) + " but the model " + sizes + " needs " + e.describe()
                        + " (? is any size); " + remedy);
            }
        }
        List<String> extra = new ArrayList<>(actual.keySet());
        extra.removeAll(expected.keySet());
        if (!extra.isEmpty()) {
            throw new CheckpointFormatException(file, "its graph has the " + what + (extra.size() == 1 ? " " : "s ")
                    + extra + " that the model " + sizes + " does not have (expected " + what + "s " + expected.keySet()
                    + "); " + remedy);
        }
    }

    private static String describe(NodeInfo info) {
        if (!(info.getInfo() instanceof TensorInfo t)) {
            return "not a tensor (" + info.getInfo() + ")";
        }
        String type = t.type == OnnxJavaType.INT64 ? "int64" : t.type == OnnxJavaType.FLOAT ? "float32"
                : t.type.name().toLowerCase(java.util.Locale.ROOT);
        return new Expected(info.getName(), t.type, t.getShape()).describe().replaceFirst("^\\S+", type);
    }

    private static boolean fits(long[] shape, long[] dims) {
        if (shape.length != dims.length) {
            return false;
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] != ANY && shape[i] != dims[i]) {
                return false;
            }
        }
        return true;
    }

    /** Fails when a {@code config.json} beside {@code file} describes another model than the file's metadata. */
    private static void checkSiblingConfig(Path file, ModelConfig config) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path json = parent == null ? null : parent.resolve(ModelDirectory.CONFIG);
        if (json == null || !Files.isRegularFile(json)) {
            return;
        }
        ModelConfig beside;
        try {
            beside = ModelConfigJson.fromJson(Files.readString(json));
        } catch (ConfigException e) {
            return; // not ours to judge here: loading the model directory reports a bad config.json
        }
        if (!beside.equals(config)) {
            throw new CheckpointFormatException(file, "it was exported for another model than " + json + " describes ("
                    + "file: " + ModelConfigJson.toJson(config).replaceAll("\\s+", " ") + "; " + ModelDirectory.CONFIG
                    + ": " + ModelConfigJson.toJson(beside).replaceAll("\\s+", " ") + "); " + REEXPORT);
        }
    }
}
