package org.transformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.onnx.OnnxModel;
import org.transformer4j.onnx.OnnxSeq2SeqModel;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code export}: writes a model directory as ONNX ({@code model.onnx}, or {@code encoder.onnx} and
 * {@code decoder.onnx}), the config and tokenizer inside, then checks the files: ONNX Runtime's logits for a few
 * tokens against the cpu backend's.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a model directory to ONNX for serving with ONNX Runtime.")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory (config.json, model.safetensors, tokenizer.json)")
    Path model;

    @Option(names = "--out", required = true, description = "directory for the .onnx files (created if missing)")
    Path out;

    @Option(names = "--no-check", description = "skip comparing ONNX Runtime's logits with the cpu backend's")
    boolean noCheck;

    @Override
    public Integer call() throws Exception {
        ModelDirectory dir = ModelDirectory.load(model);
        List<Path> files = OnnxExporter.export(dir, out);
        for (Path f : files) {
            System.out.println("wrote " + f);
        }
        if (!noCheck) {
            double diff = check(dir);
            System.out.printf(Locale.ROOT, "checked: ONNX Runtime and the cpu backend agree (largest logit difference %.2e)%n", diff);
            if (!(diff <= 1e-3)) {
                System.err.println("error: the exported graph's logits differ from the cpu backend's by " + diff
                        + "; please report this with the model's config.json");
                return 1;
            }
        }
        return 0;
    }

    /** Largest absolute logit difference between ONNX Runtime and the cpu backend on a few tokens. */
    private double check(ModelDirectory dir) throws Exception {
        int n = Math.min(8, dir.config().contextLength());
        int vocab = dir.config().vocabSize();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (i * 7 + 1) % vocab;
        }
        try (Engine cpu = Backends.open("cpu", EngineOptions.defaults());
             LoadedWeights w = cpu.load(dir.weights())) {
            Ops ops = cpu.inferenceOps();
            float[] want;
            float[] got;
            switch (dir.config()) {
                case GptConfig g -> {
                    try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(1, n), ids));
                         Tensor logits = new GptModel(g).logits(ops, w, in)) {
                        want = logits.toFloatArray();
                    }
                    try (OnnxModel onnx = OnnxModel.open(out)) {
                        got = onnx.logits(new int[][] {ids}).floats();
                    }
                }
                case Seq2SeqConfig s -> {
                    Seq2SeqModel m = new Seq2SeqModel(s);
                    try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(1, n), ids));
                         Tensor memory = m.encode(ops, w, in, null);
                         Tensor logits = m.decode(ops, w, in, memory, null, null)) {
                        want = logits.toFloatArray();
                    }
                    try (OnnxSeq2SeqModel onnx = OnnxSeq2SeqModel.open(out)) {
                        HostTensor memory = onnx.encode(new int[][] {ids}, null);
                        got = onnx.decode(new int[][] {ids}, memory, null, null).floats();
                    }
                }
                case LlamaConfig l -> throw new UnsupportedOperationException("exporting a " + l.modelType()
                        + " model to ONNX is not implemented yet; run it with --backend cpu or tensorflow");
            }
            double max = 0;
            for (int i = 0; i < want.length; i++) {
                max = Math.max(max, Math.abs(want[i] - got[i]));
            }
            return max;
        }
    }
}
