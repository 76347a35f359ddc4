package org.transformer4j.onnx.export;

import static org.transformer4j.onnx.export.OnnxGraph.in;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.transformer4j.io.AtomicFiles;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.KvCache;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.model.ModelConfigJson;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.layers.RotaryEmbedding;
import org.transformer4j.onnx.OnnxNames;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * Exports a model to ONNX (opset 17) by running its composition ({@link GptModel#logits}, {@link LlamaModel#logits},
 * {@link Seq2SeqModel#encode}/{@link Seq2SeqModel#decode}) once through {@link OnnxExportOps}.
 *
 * <p>Files (names and axes in {@link OnnxNames}):
 * <ul>
 *   <li>GPT and Llama family, {@code model.onnx}, with Hugging Face Optimum's inputs and outputs for a decoder with
 *       past: {@code input_ids [batch, seq]}, {@code attention_mask [batch, past + seq]},
 *       {@code position_ids [batch, seq]} and per layer {@code past_key_values.N.key/value
 *       [batch, kv_heads, past, head_dim]}; outputs {@code logits [batch, seq, V]} and {@code present.N.key/value
 *       [batch, kv_heads, past + seq, head_dim]} ({@code kv_heads}: {@code num_key_value_heads} for grouped-query
 *       attention). An empty past ({@code past = 0}) runs a prompt; feeding the presents back as the next past
 *       decodes incrementally.</li>
 *   <li>Encoder-decoder, {@code encoder.onnx}: {@code src_ids, src_mask [batch, src_seq]} to
 *       {@code memory [batch, src_seq, C]}; {@code decoder.onnx}: {@code tgt_ids [batch, seq]}, {@code memory},
 *       {@code src_mask} and the self-attention past (laid out as the GPT's) to {@code logits} and the presents.
 *       The memory's keys and values are recomputed from {@code memory} at each decoder run.</li>
 * </ul>
 * The decoder-only graphs take each token's position as an input, so rows of one batch may sit at different
 * positions: prompts of different lengths run left-padded (padding masked with 0 in {@code attention_mask}, each
 * row's first real token at position 0), as {@link org.transformer4j.generate.GptBatchRun} does. The decoder
 * computes its positions from the past length ({@code past .. past + seq - 1}: every target starts at BOS, so rows
 * share them). Ids, positions and masks are int64. The config (config.json's text) and the
 * tokenizer (tokenizer.json's text) are stored as metadata ({@link OnnxNames#META_CONFIG},
 * {@link OnnxNames#META_TOKENIZER}), so a file serves alone. Weights are initializers under their checkpoint
 * names; when they exceed {@link #EXTERNAL_DATA_THRESHOLD} (protobuf limits one file to 2 GiB) they are written as
 * ONNX external data, {@code model.onnx.data} beside {@code model.onnx}, which ONNX Runtime reads from the
 * directory.
 */
public final class OnnxExporter {
    /** The ONNX operator set the graphs use. */
    public static final int OPSET = 17;
    /** The ONNX IR version matching {@link #OPSET}. */
    public static final int IR_VERSION = 8;
    /**
     * Weights above this many bytes (protobuf's 2 GiB limit on one file, less room for the graph) are written as
     * ONNX external data.
     */
    public static final long EXTERNAL_DATA_THRESHOLD = Integer.MAX_VALUE - (64L << 20);
    /** System property (bytes) lowering {@link #EXTERNAL_DATA_THRESHOLD}, e.g. to test external data on a tiny model. */
    public static final String EXTERNAL_DATA_THRESHOLD_PROPERTY = "transformer4j.onnx.externalDataThreshold";
    /** The external data file of {@code model.onnx} is {@code model.onnx.data}. */
    public static final String EXTERNAL_DATA_SUFFIX = ".data";
    /** Tensors smaller than this stay inside the model file when the others go external (as ONNX's own helper does). */
    static final long EXTERNAL_MIN_TENSOR_BYTES = 1024;

    private OnnxExporter() {
    }

    /** Exports a loaded model directory into {@code outDir} (created if missing); returns the files written. */
    public static List<Path> export(ModelDirectory model, Path outDir) throws IOException {
        return export(model.config(), model.weights(), model.tokenizer(), outDir);
    }

    /**
     * Exports a model into {@code outDir} (created if missing): {@code model.onnx} for a GPT or Llama-family model,
     * {@code encoder.onnx} and {@code decoder.onnx} for an encoder-decoder, each followed by its external data file
     * ({@code .onnx.data}) when its weights exceed {@link #EXTERNAL_DATA_THRESHOLD} (or the bytes the system property
     * {@link #EXTERNAL_DATA_THRESHOLD_PROPERTY} gives). Each file is written atomically.
     *
     * @param tokenizer stored in the files' metadata, or null for none
     * @return the files written
     */
    public static List<Path> export(ModelConfig config, Map<String, HostTensor> weights, Tokenizer tokenizer, Path outDir)
            throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(weights, "weights");
        Files.createDirectories(outDir);
        String tokenizerJson = tokenizer == null ? null : tokenizer.toJson();
        List<Path> written = new ArrayList<>();
        switch (config) {
            case GptConfig gpt -> write(outDir.resolve(OnnxNames.MODEL_FILE), traceGpt(gpt, weights, tokenizerJson), written);
            case Seq2SeqConfig s2s -> {
                write(outDir.resolve(OnnxNames.ENCODER_FILE), traceEncoder(s2s, weights, tokenizerJson), written);
                write(outDir.resolve(OnnxNames.DECODER_FILE), traceDecoder(s2s, weights, tokenizerJson), written);
            }
            case LlamaConfig l -> write(outDir.resolve(OnnxNames.MODEL_FILE), traceLlama(l, weights, tokenizerJson), written);
        }
        return written;
    }

    /**
     * The initializer bytes above which a graph's weights go to an external data file: the system property
     * {@value #EXTERNAL_DATA_THRESHOLD_PROPERTY} (bytes), else {@link #EXTERNAL_DATA_THRESHOLD}.
     */
    static long externalDataThreshold() {
        String v = System.getProperty(EXTERNAL_DATA_THRESHOLD_PROPERTY);
        if (v == null || v.isBlank()) {
            return EXTERNAL_DATA_THRESHOLD;
        }
        try {
            long t = Long.parseLong(v.trim());
            if (t < 0 || t > EXTERNAL_DATA_THRESHOLD) {
                throw new NumberFormatException("out of range");
            }
            return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + EXTERNAL_DATA_THRESHOLD_PROPERTY + "=" + v + " must be "
                    + "a number of bytes in [0, " + EXTERNAL_DATA_THRESHOLD + "]; leave it unset for the default", e);
        }
    }

    /**
     * Writes {@code file} (atomically): the whole graph in one file when its weights are at most
     * {@link #externalDataThreshold()} bytes, else the weights of at least {@link #EXTERNAL_MIN_TENSOR_BYTES} bytes in
     * {@code file + ".data"} (written first, so a model file never names a data file that is not complete).
     */
    private static void write(Path file, Traced traced, List<Path> written) throws IOException {
        Path data = file.resolveSibling(file.getFileName() + EXTERNAL_DATA_SUFFIX);
        GraphProto graph;
        if (traced.graph().initializerBytes() > externalDataThreshold()) {
            ExternalData external = new ExternalData(data.getFileName().toString());
            graph = traced.graph().build(external, EXTERNAL_MIN_TENSOR_BYTES);
            AtomicFiles.write(data, external::writeTo);
            AtomicFiles.write(file, traced.model(graph)::writeTo);
            written.add(file);
            written.add(data);
        } else {
            graph = traced.graph().build();
            AtomicFiles.write(file, traced.model(graph)::writeTo);
            Files.deleteIfExists(data); // the data file of an earlier, larger export would be stale
            written.add(file);
        }
    }

    /** A traced graph and the metadata of its file. */
    private record Traced(OnnxGraph graph, ModelConfig config, String tokenizerJson, String kind) {
        ModelProto model(GraphProto built) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(OnnxNames.META_FORMAT, OnnxNames.FORMAT_VERSION);
            meta.put(OnnxNames.META_GRAPH, kind);
            meta.put(OnnxNames.META_CONFIG, ModelConfigJson.toJson(config));
            if (tokenizerJson != null) {
                meta.put(OnnxNames.META_TOKENIZER, tokenizerJson);
            }
            ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("transformer4j")
                    .setProducerVersion(OnnxNames.FORMAT_VERSION)
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                    .setGraph(built);
            meta.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
            return m.build();
        }

        /** The model with its weights inside (one file), refused beyond protobuf's limit. */
        ModelProto inline() {
            if (graph.initializerBytes() > EXTERNAL_DATA_THRESHOLD) {
                throw new IllegalArgumentException("ONNX export: the " + kind + " graph's weights are "
                        + (graph.initializerBytes() >> 20) + " MiB; one .onnx file holds at most 2 GiB (a protobuf "
                        + "limit): export it to a directory with OnnxExporter.export, which writes them as ONNX "
                        + "external data");
            }
            return model(graph.build());
        }
    }

    /** Trace sizes: small, distinct, and leaving room in the context for a past and new tokens. */
    private record Trace(int batch, int past, int time) {
        static Trace of(int context) {
            if (context < 2) {
                throw new IllegalArgumentException("ONNX export needs a context length of at least 2 (one cached "
                        + "position and one new one), the model has " + context);
            }
            return context >= 5 ? new Trace(2, 2, 3) : new Trace(2, 1, 1);
        }
    }

    /** The GPT's graph ({@code model.onnx}), its weights inside (at most 2 GiB). */
    public static ModelProto gpt(GptConfig config, Map<String, HostTensor> weights, String tokenizerJson) {
        return traceGpt(config, weights, tokenizerJson).inline();
    }

    private static Traced traceGpt(GptConfig config, Map<String, HostTensor> weights, String tokenizerJson) {
        GptModel model = new GptModel(config);
        return decoderOnly(config, config.layers(), config.heads(), config.headDim(), weights, tokenizerJson,
                "transformer4j_gpt", (ops, p, ids, cache, mask) -> model.logits(ops, p, ids, cache, mask),
                model.newCache(), null, "GptModel.logits", 1);
    }

    /**
     * The Llama-family model's graph ({@code model.onnx}): the GPT's inputs and outputs, its caches holding the
     * {@code num_key_value_heads} heads; rotary angles computed in the graph from {@code position_ids}. Its weights
     * are inside (at most 2 GiB).
     */
    public static ModelProto llama(LlamaConfig config, Map<String, HostTensor> weights, String tokenizerJson) {
        return traceLlama(config, weights, tokenizerJson).inline();
    }

    private static Traced traceLlama(LlamaConfig config, Map<String, HostTensor> weights, String tokenizerJson) {
        LlamaModel model = new LlamaModel(config);
        return decoderOnly(config, config.layers(), config.kvHeads(), config.headDim(), weights, tokenizerJson,
                "transformer4j_llama", (ops, p, ids, cache, mask) -> model.logits(ops, p, ids, null, cache, mask),
                model.newCache(), model.rotaryEmbedding(), "LlamaModel.logits", 2);
    }

    /** A decoder-only composition as the trace runs it. */
    private interface Composition {
        Tensor logits(OnnxExportOps ops, ExportParameters p, Tensor ids, KvCache cache, Tensor mask);
    }

    /**
     * The graph of a decoder-only model, with Optimum's inputs and outputs ({@link OnnxNames}): the trace runs
     * {@code tr.time} new tokens after {@code tr.past} cached ones, whose keys and values are the
     * {@code past_key_values} inputs laid out {@code [batch, kvHeads, past, headDim]}.
     */
    private static Traced decoderOnly(ModelConfig config, int layers, int kvHeads, int headDim,
            Map<String, HostTensor> weights, String tokenizerJson, String graphName, Composition composition,
            KvCache cache, RotaryEmbedding rope, String where, int positionUses) {
        Trace tr = Trace.of(config.contextLength());
        OnnxGraph g = new OnnxGraph(graphName);
        OnnxExportOps ops = new OnnxExportOps(g);
        g.input(OnnxNames.INPUT_IDS, DType.INT64, OnnxNames.BATCH, OnnxNames.SEQUENCE);
        g.input(OnnxNames.ATTENTION_MASK, DType.INT64, OnnxNames.BATCH, OnnxNames.TOTAL);
        g.input(OnnxNames.POSITION_IDS, DType.INT64, OnnxNames.BATCH, OnnxNames.SEQUENCE);
        pastInputs(g, layers, kvHeads, headDim);
        String batch = ops.dim(OnnxNames.INPUT_IDS, 0);
        String seq = ops.dim(OnnxNames.INPUT_IDS, 1);
        String past = ops.dim(OnnxNames.pastKey(0), 2);
        setPast(cache, layers, tr, kvHeads, headDim, batch, past);
        SymbolicTensor ids = ops.sym(OnnxNames.INPUT_IDS, DType.INT64, Shape.of(tr.batch, tr.time), new String[] {batch, seq});
        SymbolicTensor mask = ops.sym(OnnxNames.ATTENTION_MASK, DType.INT64, Shape.of(tr.batch, tr.past + tr.time),
                new String[] {batch, ops.sum(past, seq)});
        // the trace runs at positions past .. past + time - 1; the graph reads them from position_ids [batch, seq]
        // (the trace sees [time]; the lookups give [batch, seq, ...], which the ops broadcast alike)
        SymbolicTensor positions = ops.sym(OnnxNames.POSITION_IDS, DType.INT64, Shape.of(tr.time), new String[] {seq});
        ops.bindPositions(tr.past, tr.time, positions, config.contextLength(), config.embeddingDim());
        if (rope != null) {
            ops.bindRotary(rope);
        }
        Tensor logits = composition.logits(ops, new ExportParameters(weights, g), ids, cache, mask);
        if (ops.positionUses() != positionUses) {
            throw new IllegalStateException("ONNX export: " + where + " used the token positions " + ops.positionUses()
                    + " times, expected " + positionUses + "; the exporter cannot make its positions dynamic");
        }
        requireShape("logits", logits, Shape.of(tr.batch, tr.time, config.vocabSize()));
        g.output(OnnxNames.LOGITS, name(logits), DType.FLOAT32, OnnxNames.BATCH, OnnxNames.SEQUENCE, config.vocabSize());
        presentOutputs(g, cache, layers, tr, kvHeads, headDim);
        return new Traced(g, config, tokenizerJson, "gpt");
    }

    private static void pastInputs(OnnxGraph g, int layers, int kvHeads, int headDim) {
        for (int i = 0; i < layers; i++) {
            g.input(OnnxNames.pastKey(i), DType.FLOAT32, OnnxNames.BATCH, kvHeads, OnnxNames.PAST, headDim);
            g.input(OnnxNames.pastValue(i), DType.FLOAT32, OnnxNames.BATCH, kvHeads, OnnxNames.PAST, headDim);
        }
    }

    /** Sets each layer's cache to the past inputs, seen by the trace as {@code [batch, past, kvHeads · headDim]}. */
    private static void setPast(KvCache cache, int layers, Trace tr, int kvHeads, int headDim, String batch, String past) {
        Shape shape = Shape.of(tr.batch, tr.past, kvHeads * headDim);
        String[] dims = {batch, past, null};
        for (int i = 0; i < layers; i++) {
            cache.self(i).set(new SymbolicTensor(OnnxNames.pastKey(i), DType.FLOAT32, shape, dims, kvHeads),
                    new SymbolicTensor(OnnxNames.pastValue(i), DType.FLOAT32, shape, dims, kvHeads));
        }
    }

    private static void presentOutputs(OnnxGraph g, KvCache cache, int layers, Trace tr, int kvHeads, int headDim) {
        Shape present = Shape.of(tr.batch, tr.past + tr.time, kvHeads * headDim);
        for (int i = 0; i < layers; i++) {
            String[] names = {OnnxNames.presentKey(i), OnnxNames.presentValue(i)};
            Tensor[] values = {cache.self(i).keys(), cache.self(i).values()};
            for (int j = 0; j < 2; j++) {
                requireShape(names[j], values[j], present);
                if (((SymbolicTensor) values[j]).heads() != kvHeads) {
                    throw new IllegalStateException("ONNX export: the traced " + names[j] + " is not the past joined "
                            + "with the new keys or values; the composition does not grow its cache as expected");
                }
                g.output(names[j], name(values[j]), DType.FLOAT32, OnnxNames.BATCH, kvHeads, OnnxNames.TOTAL, headDim);
            }
        }
    }

    /** The encoder-decoder's encoder graph ({@code encoder.onnx}), its weights inside (at most 2 GiB). */
    public static ModelProto encoder(Seq2SeqConfig config, Map<String, HostTensor> weights, String tokenizerJson) {
        return traceEncoder(config, weights, tokenizerJson).inline();
    }

    private static Traced traceEncoder(Seq2SeqConfig config, Map<String, HostTensor> weights, String tokenizerJson) {
        Trace tr = Trace.of(config.contextLength());
        int c = config.embeddingDim();
        int srcTrace = tr.past + tr.time;
        OnnxGraph g = new OnnxGraph("transformer4j_encoder");
        OnnxExportOps ops = new OnnxExportOps(g);
        g.input(OnnxNames.SRC_IDS, DType.INT64, OnnxNames.BATCH, "src_seq");
        g.input(OnnxNames.SRC_MASK, DType.INT64, OnnxNames.BATCH, "src_seq");
        String[] dims = {ops.dim(OnnxNames.SRC_IDS, 0), ops.dim(OnnxNames.SRC_IDS, 1)};
        SymbolicTensor ids = ops.sym(OnnxNames.SRC_IDS, DType.INT64, Shape.of(tr.batch, srcTrace), dims);
        SymbolicTensor mask = ops.sym(OnnxNames.SRC_MASK, DType.INT64, Shape.of(tr.batch, srcTrace), dims);
        String positions = g.node("Range", in(g.scalarLong(0), dims[1], g.scalarLong(1)));
        ops.bindPositions(0, srcTrace, ops.sym(positions, DType.INT64, Shape.of(srcTrace), new String[] {dims[1]}),
                config.contextLength(), c);
        Tensor memory = new Seq2SeqModel(config).encode(ops, new ExportParameters(weights, g), ids, mask);
        requirePositionsUsed(ops, "Seq2SeqModel.encode");
        requireShape(OnnxNames.MEMORY, memory, Shape.of(tr.batch, srcTrace, c));
        g.output(OnnxNames.MEMORY, name(memory), DType.FLOAT32, OnnxNames.BATCH, "src_seq", c);
        return new Traced(g, config, tokenizerJson, "encoder");
    }

    /** The encoder-decoder's decoder graph ({@code decoder.onnx}), its weights inside (at most 2 GiB). */
    public static ModelProto decoder(Seq2SeqConfig config, Map<String, HostTensor> weights, String tokenizerJson) {
        return traceDecoder(config, weights, tokenizerJson).inline();
    }

    private static Traced traceDecoder(Seq2SeqConfig config, Map<String, HostTensor> weights, String tokenizerJson) {
        Trace tr = Trace.of(config.contextLength());
        int c = config.embeddingDim();
        int srcTrace = tr.past + tr.time + 1;
        OnnxGraph g = new OnnxGraph("transformer4j_decoder");
        OnnxExportOps ops = new OnnxExportOps(g);
        g.input(OnnxNames.TGT_IDS, DType.INT64, OnnxNames.BATCH, OnnxNames.SEQUENCE);
        g.input(OnnxNames.MEMORY, DType.FLOAT32, OnnxNames.BATCH, "src_seq", c);
        g.input(OnnxNames.SRC_MASK, DType.INT64, OnnxNames.BATCH, "src_seq");
        Seq2SeqModel model = new Seq2SeqModel(config);
        KvCache cache = model.newCache();
        int layers = config.decoderLayers();
        int heads = config.heads();
        int headDim = config.headDim();
        pastInputs(g, layers, heads, headDim);
        String batch = ops.dim(OnnxNames.TGT_IDS, 0);
        String seq = ops.dim(OnnxNames.TGT_IDS, 1);
        String src = ops.dim(OnnxNames.MEMORY, 1);
        String past = ops.dim(OnnxNames.pastKey(0), 2);
        setPast(cache, layers, tr, heads, headDim, batch, past);
        SymbolicTensor ids = ops.sym(OnnxNames.TGT_IDS, DType.INT64, Shape.of(tr.batch, tr.time), new String[] {batch, seq});
        SymbolicTensor memory = ops.sym(OnnxNames.MEMORY, DType.FLOAT32, Shape.of(tr.batch, srcTrace, c),
                new String[] {batch, src, null});
        SymbolicTensor mask = ops.sym(OnnxNames.SRC_MASK, DType.INT64, Shape.of(tr.batch, srcTrace), new String[] {batch, src});
        SymbolicTensor positions = ops.sym(g.node("Range", in(past, ops.sum(past, seq), g.scalarLong(1))), DType.INT64,
                Shape.of(tr.time), new String[] {seq});
        ops.bindPositions(tr.past, tr.time, positions, config.contextLength(), c);
        Tensor logits = model.decode(ops, new ExportParameters(weights, g), ids, memory, mask, cache);
        requirePositionsUsed(ops, "Seq2SeqModel.decode");
        requireShape("logits", logits, Shape.of(tr.batch, tr.time, config.vocabSize()));
        g.output(OnnxNames.LOGITS, name(logits), DType.FLOAT32, OnnxNames.BATCH, OnnxNames.SEQUENCE, config.vocabSize());
        presentOutputs(g, cache, layers, tr, heads, headDim);
        return new Traced(g, config, tokenizerJson, "decoder");
    }

    private static String name(Tensor t) {
        return ((SymbolicTensor) t).name();
    }

    private static void requireShape(String what, Tensor t, Shape expected) {
        if (!(t instanceof SymbolicTensor) || !t.shape().equals(expected)) {
            throw new IllegalStateException("ONNX export: the traced " + what + " is " + t + ", expected a graph value of "
                    + "shape " + expected + "; the composition does not match what the exporter expects");
        }
    }

    private static void requirePositionsUsed(OnnxExportOps ops, String where) {
        if (ops.positionUses() != 1) {
            throw new IllegalStateException("ONNX export: " + where + " used the token positions " + ops.positionUses()
                    + " times, expected once; the exporter cannot make its positions dynamic");
        }
    }
}
