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
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.model.ModelConfigJson;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.Seq2SeqConfig;

/**
 * Checks, when a file is opened, that its graph has the inputs and outputs its config needs (names, element types,
 * ranks, and the fixed sizes: width C of the caches, vocabulary V of the logits), and that a {@code config.json}
 * beside it describes the same model: a file exported for another config, or edited, is refused when it is opened,
 * naming the file, the input and what was expected, not when it is first run.
 */
final class OnnxGraphCheck {
    /** A dynamic axis. */
    private static final long ANY = -1;
    private static final String REEXPORT = "export the model again with `transformer4j export --model DIR --out DIR` "
            + "(or OnnxExporter)";

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

    /** Fails unless the graph of {@code file} ({@code kind} {@code gpt}, {@code encoder} or {@code decoder}) fits {@code config}. */
    static void check(Path file, OrtSession session, String kind, ModelConfig config) throws IOException {
        Map<String, Expected> inputs = new LinkedHashMap<>();
        Map<String, Expected> outputs = new LinkedHashMap<>();
        long c = config.embeddingDim();
        long v = config.vocabSize();
        int layers = switch (config) {
            case GptConfig g -> g.layers();
            case Seq2SeqConfig s -> s.decoderLayers();
            case LlamaConfig l -> throw new CheckpointFormatException(file, "a " + l.modelType() + " model cannot be "
                    + "served by the onnx backend yet: exporting Llama-family models to ONNX is not implemented; run it "
                    + "on the cpu or tensorflow backend");
        };
        switch (kind) {
            case "gpt" -> {
                put(inputs, new Expected(OnnxNames.INPUT_IDS, OnnxJavaType.INT64, ANY, ANY));
                put(inputs, new Expected(OnnxNames.POSITION_IDS, OnnxJavaType.INT64, ANY, ANY));
                put(inputs, new Expected(OnnxNames.ATTENTION_MASK, OnnxJavaType.INT64, ANY, ANY));
                cache(inputs, outputs, layers, c);
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
                cache(inputs, outputs, layers, c);
                put(outputs, new Expected(OnnxNames.LOGITS, OnnxJavaType.FLOAT, ANY, ANY, v));
            }
        }
        try {
            compare(file, "input", inputs, session.getInputInfo(), config);
            compare(file, "output", outputs, session.getOutputInfo(), config);
        } catch (OrtException e) {
            throw new CheckpointFormatException(file, "ONNX Runtime cannot list its inputs and outputs: "
                    + e.getMessage(), e);
        }
        checkSiblingConfig(file, config);
    }

    private static void cache(Map<String, Expected> inputs, Map<String, Expected> outputs, int layers, long c) {
        for (int i = 0; i < layers; i++) {
            put(inputs, new Expected(OnnxNames.pastKey(i), OnnxJavaType.FLOAT, ANY, ANY, c));
            put(inputs, new Expected(OnnxNames.pastValue(i), OnnxJavaType.FLOAT, ANY, ANY, c));
            put(outputs, new Expected(OnnxNames.presentKey(i), OnnxJavaType.FLOAT, ANY, ANY, c));
            put(outputs, new Expected(OnnxNames.presentValue(i), OnnxJavaType.FLOAT, ANY, ANY, c));
        }
    }

    private static void put(Map<String, Expected> m, Expected e) {
        m.put(e.name(), e);
    }

    private static void compare(Path file, String what, Map<String, Expected> expected, Map<String, NodeInfo> actual,
            ModelConfig config) throws CheckpointFormatException {
        String sizes = "(the config in its metadata has vocabulary " + config.vocabSize() + ", width "
                + config.embeddingDim() + ")";
        for (Expected e : expected.values()) {
            NodeInfo info = actual.get(e.name());
            if (info == null) {
                throw new CheckpointFormatException(file, "its graph has no " + what + " '" + e.name() + "' (expected "
                        + e.describe() + "; it has " + actual.keySet() + "); it was exported by another release or for "
                        + "another config, or edited: " + REEXPORT);
            }
            if (!(info.getInfo() instanceof TensorInfo t) || t.type != e.type() || !fits(t.getShape(), e.dims())) {
                throw new CheckpointFormatException(file, "its graph " + what + " '" + e.name() + "' is "
                        + describe(info) + " but the model " + sizes + " needs " + e.describe()
                        + " (? is any size); it was exported for another config or edited: " + REEXPORT);
            }
        }
        List<String> extra = new ArrayList<>(actual.keySet());
        extra.removeAll(expected.keySet());
        if (!extra.isEmpty()) {
            throw new CheckpointFormatException(file, "its graph has the " + what + (extra.size() == 1 ? " " : "s ")
                    + extra + " that the model " + sizes + " does not have (expected " + what + "s " + expected.keySet()
                    + "); it was exported for another config or edited: " + REEXPORT);
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
