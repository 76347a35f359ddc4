package org.transformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.ExportedModel;
import org.transformer4j.backend.ExportingEngine;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.backend.ServingEngine;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.generate.OpsGptRuntime;
import org.transformer4j.generate.OpsSeq2SeqRuntime;
import org.transformer4j.generate.Seq2SeqCache;
import org.transformer4j.generate.Seq2SeqRuntime;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code export}: writes a model directory in a graph format (ONNX: {@code model.onnx}, or {@code encoder.onnx} and
 * {@code decoder.onnx}, the config and tokenizer inside) through the exporting backend the SPI finds, then checks the
 * files: the served export's logits for a few tokens against the cpu backend's. {@code --format hf} writes a Hugging
 * Face GPT-2 directory instead (config.json GPT2Config, model.safetensors with GPT-2's names, generation_config.json,
 * tokenizer.json), then reads it back and checks that it is the same model.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a model directory to ONNX for serving with ONNX Runtime (--format onnx), or as a "
                + "Hugging Face GPT-2 directory that transformers' GPT2LMHeadModel.from_pretrained reads (--format hf)."})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory (config.json, model.safetensors, tokenizer.json)")
    Path model;

    @Option(names = "--out", required = true, description = "directory for the .onnx files (created if missing)")
    Path out;

    @Option(names = "--backend", defaultValue = "onnx", description = "the backend that exports and serves the graph (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--no-check", description = "skip comparing the served export's logits with the cpu backend's")
    boolean noCheck;

    @Option(names = "--format", defaultValue = "onnx", description = "onnx or hf (default: ${DEFAULT-VALUE})")
    String format;

    @Override
    public Integer call() throws Exception {
        ModelDirectory dir = ModelDirectory.load(model);
        switch (format.toLowerCase(Locale.ROOT)) {
            case "onnx" -> {
            }
            case "hf" -> {
                dir.saveHuggingFace(out);
                ModelDirectory back = ModelDirectory.load(out);
                if (!back.config().equals(dir.config()) || !back.weights().equals(dir.weights())) {
                    System.err.println("error: reading " + out + " back does not give the model of " + model
                            + "; please report this with the model's config.json");
                    return 1;
                }
                System.out.println("wrote " + out + " (Hugging Face GPT-2 layout; read back: identical)");
                return 0;
            }
            default -> throw new IllegalArgumentException("--format must be onnx or hf, was " + format);
        }
        try (ServingEngine serving = Backends.openServing(backend, EngineOptions.defaults())) {
            ExportingEngine exporter = serving.capability(ExportingEngine.class).orElseThrow(() ->
                    new IllegalArgumentException("backend '" + backend + "' serves exported graphs but does not export;"
                            + " name one that does (onnx)"));
            List<Path> files = exporter.export(dir.config(), dir.weights(), dir.tokenizer(), out);
            for (Path f : files) {
                System.out.println("wrote " + f);
            }
            if (!noCheck) {
                double diff = check(dir, serving);
                System.out.printf(Locale.ROOT, "checked: %s and the cpu backend agree (largest logit difference %.2e)%n",
                        serving.backendName(), diff);
                if (!(diff <= 1e-3)) {
                    System.err.println("error: the exported graph's logits differ from the cpu backend's by " + diff
                            + "; please report this with the model's config.json");
                    return 1;
                }
            }
        }
        return 0;
    }

    /** Largest absolute logit difference between the served export and the cpu backend on a few tokens. */
    private double check(ModelDirectory dir, ServingEngine serving) throws Exception {
        int n = Math.min(8, dir.config().contextLength());
        int vocab = dir.config().vocabSize();
        int[] ids = new int[n];
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (i * 7 + 1) % vocab;
            positions[i] = i;
        }
        try (InferenceEngine cpu = Backends.openInference("cpu", EngineOptions.defaults());
             LoadedWeights w = cpu.load(dir.weights());
             ExportedModel exported = serving.open(out)) {
            Ops ops = cpu.inferenceOps();
            float[] want;
            float[] got;
            switch (dir.config()) {
                case GptConfig g -> {
                    want = forward(new OpsGptRuntime(new GptModel(g), ops, w), ids, positions);
                    got = forward(exported.gpt().orElseThrow(), ids, positions);
                }
                case Seq2SeqConfig s -> {
                    want = decode(new OpsSeq2SeqRuntime(new Seq2SeqModel(s), ops, w), ids);
                    got = decode(exported.seq2seq().orElseThrow(), ids);
                }
                case LlamaConfig l -> {
                    try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(1, n), ids));
                         Tensor logits = new LlamaModel(l).logits(ops, w, in)) {
                        want = logits.toFloatArray();
                    }
                    got = forward(exported.gpt().orElseThrow(), ids, positions);
                }
            }
            double max = 0;
            for (int i = 0; i < want.length; i++) {
                max = Math.max(max, Math.abs(want[i] - got[i]));
            }
            return max;
        }
    }

    private static float[] forward(GptRuntime runtime, int[] ids, int[] positions) {
        try (GptCache cache = runtime.newCache(1)) {
            return runtime.forward(cache, new int[][] {ids}, new int[][] {positions}, null, false);
        }
    }

    /** Decoder logits of {@code ids} as the target, with {@code ids} as the source too. */
    private static float[] decode(Seq2SeqRuntime runtime, int[] ids) {
        try (Seq2SeqCache cache = runtime.encode(new int[][] {ids}, null)) {
            return runtime.decode(cache, new int[][] {ids}, false);
        }
    }
}
