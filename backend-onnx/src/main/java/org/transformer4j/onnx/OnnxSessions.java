package org.transformer4j.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.model.ConfigException;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.model.ModelConfigJson;
import org.transformer4j.model.ModelDirectory;

/**
 * Opens exported graphs with ONNX Runtime: the one shared {@link OrtEnvironment}, session options for the
 * asked device (CUDA or a clear error, never a silent fall-back), and the checks that a file is an ONNX model
 * exported by transformer4j holding the expected graph, or a decoder-only graph with Optimum's inputs and outputs
 * described by the {@code config.json} beside it.
 */
final class OnnxSessions {
    private OnnxSessions() {
    }

    /** The process-wide ONNX Runtime environment (loads the native library on first use). */
    static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /** An opened graph: its session, its config and its tokenizer.json text (or null). */
    record Opened(OrtSession session, ModelConfig config, String tokenizerJson) {
    }

    /**
     * Opens {@code file}, which must hold the graph {@code kind} ({@code gpt}, {@code encoder} or {@code decoder}).
     */
    static Opened open(Path file, OnnxOptions options, String kind) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no ONNX file there; export one with "
                    + "`transformer4j export --model DIR --out DIR`");
        }
        OrtSession session;
        try (OrtSession.SessionOptions so = sessionOptions(options)) {
            session = environment().createSession(file.toString(), so);
        } catch (OrtException e) {
            throw new CheckpointFormatException(file, "ONNX Runtime cannot load it as an ONNX model (" + e.getMessage()
                    + "); give a .onnx file written by `transformer4j export` or OnnxExporter", e);
        }
        try {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            String graph = meta.get(OnnxNames.META_GRAPH);
            String configJson = meta.get(OnnxNames.META_CONFIG);
            if (graph == null && configJson == null) {
                return foreign(file, session, kind);
            }
            if (graph == null || configJson == null) {
                throw new CheckpointFormatException(file, "its transformer4j metadata is incomplete ('"
                        + OnnxNames.META_GRAPH + "' or '" + OnnxNames.META_CONFIG + "' is missing); export the model "
                        + "again with `transformer4j export`");
            }
            if (!graph.equals(kind)) {
                throw new CheckpointFormatException(file, "it holds the " + graph + " graph, but the " + kind
                        + " graph is needed here");
            }
            String format = meta.get(OnnxNames.META_FORMAT);
            if (!OnnxNames.readable(graph, format)) {
                throw new CheckpointFormatException(file, "its layout version is " + format + " but this release reads "
                        + OnnxNames.FORMAT_VERSION + " (format 3 names the caches past_key_values.N.key/value and lays "
                        + "them out [batch, heads, positions, head_dim], as Hugging Face Optimum does; format 2 added "
                        + OnnxNames.POSITION_IDS + "); export it again with this release (`transformer4j export "
                        + "--model DIR --out DIR`)");
            }
            ModelConfig config;
            try {
                config = ModelConfigJson.fromJson(configJson);
            } catch (ConfigException e) {
                throw new CheckpointFormatException(file, "its metadata '" + OnnxNames.META_CONFIG + "' is not a valid "
                        + "config: " + e.getMessage(), e);
            }
            OnnxGraphCheck.check(file, session, graph, config, false);
            return new Opened(session, config, meta.get(OnnxNames.META_TOKENIZER));
        } catch (OrtException e) {
            CheckpointFormatException failure = new CheckpointFormatException(file,
                    "ONNX Runtime cannot read its metadata: " + e.getMessage(), e);
            closeQuietly(session, failure);
            throw failure;
        } catch (IOException | RuntimeException e) {
            closeQuietly(session, e);
            throw e;
        }
    }

    /**
     * A graph we did not write (no transformer4j metadata): served as a decoder-only model when a {@code config.json}
     * beside it (Hugging Face's GPT-2 or Llama-family config, or ours) describes it and its inputs and outputs are
     * Optimum's ({@link OnnxGraphCheck}); the tokenizer is the directory's ({@code tokenizer.json}).
     */
    private static Opened foreign(Path file, OrtSession session, String kind) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path json = parent.resolve(ModelDirectory.CONFIG);
        if (!Files.isRegularFile(json)) {
            throw new CheckpointFormatException(file, "it is an ONNX model without transformer4j's metadata and no "
                    + ModelDirectory.CONFIG + " is beside it; a graph we did not write is served from a directory that "
                    + "also holds its config.json (Hugging Face layout, e.g. what optimum-cli exports), or export the "
                    + "model with `transformer4j export`");
        }
        if (!"gpt".equals(kind)) {
            throw new CheckpointFormatException(file, "it is an ONNX model without transformer4j's metadata; only "
                    + "decoder-only graphs (GPT-2, Llama family) that we did not write are served, not a " + kind
                    + " graph: export the encoder-decoder with `transformer4j export`");
        }
        ModelConfig config;
        try {
            config = ModelConfigJson.fromJson(Files.readString(json));
        } catch (ConfigException e) {
            throw new CheckpointFormatException(json, e.getMessage() + " (it describes the ONNX graph " + file + ")", e);
        }
        if (config instanceof org.transformer4j.model.Seq2SeqConfig) {
            throw new CheckpointFormatException(json, "it describes an encoder-decoder, but " + file + " is served as a "
                    + "decoder-only graph; export the model with `transformer4j export`");
        }
        OnnxGraphCheck.check(file, session, kind, config, true);
        return new Opened(session, config, null);
    }

    private static void closeQuietly(OrtSession session, Exception cause) {
        try {
            session.close();
        } catch (OrtException e) {
            cause.addSuppressed(e);
        }
    }

    /** Session options for {@code options}: all graph optimizations, threads, and CUDA when asked. */
    static OrtSession.SessionOptions sessionOptions(OnnxOptions options) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (options.threads() > 0) {
                so.setIntraOpNumThreads(options.threads());
            }
            int cuda = options.cudaDeviceIndex();
            if (cuda >= 0) {
                if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
                    throw new IllegalStateException("device '" + options.device() + "' needs ONNX Runtime's CUDA "
                            + "execution provider, which this ONNX Runtime build does not have (providers: "
                            + OrtEnvironment.getAvailableProviders() + "); build with the Maven profile onnx-gpu "
                            + "(onnxruntime_gpu) on a machine with CUDA and cuDNN, or use device cpu");
                }
                try {
                    so.addCUDA(cuda);
                } catch (OrtException e) {
                    throw new IllegalStateException("device '" + options.device() + "': ONNX Runtime could not enable "
                            + "CUDA on GPU " + cuda + " (" + e.getMessage() + "); check the GPU, CUDA and cuDNN "
                            + "versions ONNX Runtime needs, or use device cpu", e);
                }
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }
}
