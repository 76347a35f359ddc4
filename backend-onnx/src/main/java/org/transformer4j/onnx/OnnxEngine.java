package org.transformer4j.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.ModelServer;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.TrainingProgram;

/**
 * The onnx backend's engine. ONNX serving runs exported graphs, not the {@link Ops} composition, so
 * {@link #inferenceOps()}, {@link #load} and {@link #compileTraining} refuse with a message naming what to use;
 * {@link #openGpt} and {@link #openSeq2Seq} open exported models with this engine's device and threads.
 *
 * <p>As a {@link ModelServer}, it serves a config and weights by exporting them to a temporary directory and
 * opening the files: that is how the conformance kit ({@code ConformanceKit.complete()}, the {@code conformance}
 * command) checks the exported graphs and the serving code against another backend.
 */
public final class OnnxEngine implements Engine, ModelServer {
    private static final String USE_ONNX_MODEL = "the onnx backend runs exported ONNX graphs, not the Ops composition, so it cannot run single ops: "
            + "export the model (OnnxExporter or `transformer4j export --model DIR --out DIR`) and serve the file with "
            + "OnnxModel.open(path) (GPT) or OnnxSeq2SeqModel.open(dir) (encoder-decoder)";
    private final OnnxOptions options;

    OnnxEngine(OnnxOptions options) {
        this.options = options;
    }

    /** The device and threads models opened by this engine use. */
    public OnnxOptions options() {
        return options;
    }

    /** Opens an exported GPT ({@code model.onnx}, or a directory holding it). */
    public OnnxModel openGpt(Path path) throws IOException {
        return OnnxModel.open(path, options);
    }

    /** Opens an exported encoder-decoder (a directory holding {@code encoder.onnx} and {@code decoder.onnx}). */
    public OnnxSeq2SeqModel openSeq2Seq(Path dir) throws IOException {
        return OnnxSeq2SeqModel.open(dir, options);
    }

    /** Exports {@code weights} to a temporary directory and serves the GPT from it (deleted on close). */
    @Override
    public ServedGpt serve(GptConfig config, Map<String, HostTensor> weights) throws IOException {
        return OnnxServedModels.gpt(options, config, weights);
    }

    /** Exports {@code weights} to a temporary directory and serves the encoder-decoder from it (deleted on close). */
    @Override
    public ServedSeq2Seq serve(Seq2SeqConfig config, Map<String, HostTensor> weights) throws IOException {
        return OnnxServedModels.seq2seq(options, config, weights);
    }

    @Override
    public String backendName() {
        return OnnxBackend.NAME;
    }

    @Override
    public Ops inferenceOps() {
        throw new UnsupportedOperationException(USE_ONNX_MODEL);
    }

    @Override
    public LoadedWeights load(Map<String, HostTensor> weights) {
        throw new UnsupportedOperationException(USE_ONNX_MODEL);
    }

    @Override
    public TrainingProgram compileTraining(TrainableModel model, Map<String, HostTensor> weights) {
        throw new UnsupportedOperationException("the onnx backend does not train; train with the cpu or tensorflow "
                + "backend, then export the model to ONNX");
    }

    @Override
    public void close() {
        // models opened by this engine own their sessions; the ONNX Runtime environment is shared by the process
    }
}
