package org.transformer4j.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.TrainingProgram;

/**
 * The onnx backend's engine. ONNX serving runs exported graphs, not the {@link Ops} composition, so
 * {@link #inferenceOps()}, {@link #load} and {@link #compileTraining} refuse with a message naming what to use;
 * {@link #openGpt} and {@link #openSeq2Seq} open exported models with this engine's device and threads.
 */
public final class OnnxEngine implements Engine {
    private static final String USE_ONNX_MODEL = "the onnx backend runs exported ONNX graphs, not the Ops composition: "
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
