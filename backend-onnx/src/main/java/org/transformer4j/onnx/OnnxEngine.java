package org.transformer4j.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.transformer4j.backend.ExportedModel;
import org.transformer4j.backend.ExportingEngine;
import org.transformer4j.backend.ServingEngine;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.generate.Seq2SeqRuntime;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * The onnx backend's engine: it serves exported graphs ({@link ServingEngine}: {@code model.onnx}, or
 * {@code encoder.onnx} and {@code decoder.onnx}, opened with this engine's device and threads) and writes them
 * ({@link ExportingEngine}, through its {@code OnnxExporter}). It does not run the {@link org.transformer4j.nn.Ops}
 * composition, so it is neither an {@link org.transformer4j.backend.InferenceEngine} nor a
 * {@link org.transformer4j.backend.TrainingEngine}.
 *
 * <p>The conformance kit checks it by exporting each case's model to a temporary directory and serving the files, so
 * the cases check the exported graphs and the serving code users run.
 */
public final class OnnxEngine implements ServingEngine, ExportingEngine {
    private final OnnxOptions options;

    OnnxEngine(OnnxOptions options) {
        this.options = options;
    }

    /**
     * The device and threads models opened by this engine use.
     *
     * @return the options every model this engine opens runs with
     */
    public OnnxOptions options() {
        return options;
    }

    /**
     * Opens an exported GPT ({@code model.onnx}, or a directory holding it).
     *
     * @param path a {@code model.onnx} file or a directory holding one
     * @return the model; the caller closes it
     * @throws java.io.IOException if the file cannot be read or ONNX Runtime refuses it
     */
    public OnnxModel openGpt(Path path) throws IOException {
        return OnnxModel.open(path, options);
    }

    /**
     * Opens an exported encoder-decoder (a directory holding {@code encoder.onnx} and {@code decoder.onnx}).
     *
     * @param dir the exported directory
     * @return the model; the caller closes it
     * @throws java.io.IOException if the file cannot be read or ONNX Runtime refuses it
     */
    public OnnxSeq2SeqModel openSeq2Seq(Path dir) throws IOException {
        return OnnxSeq2SeqModel.open(dir, options);
    }

    @Override
    public boolean isExportedModel(Path dir) {
        return Files.isRegularFile(dir.resolve(OnnxNames.MODEL_FILE))
                || (Files.isRegularFile(dir.resolve(OnnxNames.ENCODER_FILE))
                && Files.isRegularFile(dir.resolve(OnnxNames.DECODER_FILE)));
    }

    @Override
    public ExportedModel open(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(OnnxNames.MODEL_FILE))) {
            OnnxModel m = openGpt(dir);
            return new Opened(m.config(), m.tokenizer(), m, null, m);
        }
        if (Files.isRegularFile(dir.resolve(OnnxNames.ENCODER_FILE))) {
            OnnxSeq2SeqModel m = openSeq2Seq(dir);
            return new Opened(m.config(), m.tokenizer(), null, m, m);
        }
        throw new java.nio.file.NoSuchFileException(dir.toString(), null, "holds no " + OnnxNames.MODEL_FILE
                + " (GPT) and no " + OnnxNames.ENCODER_FILE + " + " + OnnxNames.DECODER_FILE + " (encoder-decoder); "
                + "export the model directory first: transformer4j export --model DIR --out " + dir);
    }

    @Override
    public String exportFormat() {
        return "onnx";
    }

    @Override
    public List<Path> export(ModelConfig config, Map<String, HostTensor> weights, Tokenizer tokenizer, Path outDir)
            throws IOException {
        return OnnxExporter.export(config, weights, tokenizer, outDir);
    }

    @Override
    public String backendName() {
        return OnnxBackend.NAME;
    }

    @Override
    public void close() {
        // models opened by this engine own their sessions; the ONNX Runtime environment is shared by the process
    }

    /** An opened export and the session-owning model behind it. */
    private record Opened(ModelConfig config, Optional<Tokenizer> tokenizer, GptRuntime gptRuntime,
            Seq2SeqRuntime seq2seqRuntime, AutoCloseable owner) implements ExportedModel {
        @Override
        public Optional<GptRuntime> gpt() {
            return Optional.ofNullable(gptRuntime);
        }

        @Override
        public Optional<Seq2SeqRuntime> seq2seq() {
            return Optional.ofNullable(seq2seqRuntime);
        }

        @Override
        public void close() {
            try {
                owner.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing the ONNX model failed: " + e.getMessage(), e);
            }
        }
    }
}
