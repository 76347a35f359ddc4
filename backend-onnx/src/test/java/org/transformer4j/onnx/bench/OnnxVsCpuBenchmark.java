package org.transformer4j.onnx.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.cpu.CpuBackend;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.nn.Ops;
import org.transformer4j.onnx.OnnxModel;
import org.transformer4j.onnx.OnnxOptions;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Speed of ONNX Runtime against backend-cpu on nanoGPT's shakespeare-char shape (4 layers, 4 heads, 128 wide,
 * vocab 65, context 256, random weights): cached greedy generation (tokens/s) and a full forward of batch 8 x 64.
 * A program, not a test: run its main with the test classpath and {@code --add-modules jdk.incubator.vector};
 * arguments: threads (0 = each runtime's default), then optionally layers, heads and width (default 4 4 128).
 */
public final class OnnxVsCpuBenchmark {
    private OnnxVsCpuBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int heads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int width = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        GptConfig config = GptConfig.builder().vocabSize(65).contextLength(256).layers(layers).heads(heads)
                .embeddingDim(width).dropout(0f).bias(false).tiedEmbeddings(true).build();
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = Initializer.initialize(model.parameterSpecs(), 1337);
        Path dir = Files.createTempDirectory("onnx-bench");
        OnnxExporter.export(config, weights, null, dir);
        int[] prompt = new int[16];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (i * 5 + 3) % 65;
        }
        int newTokens = 200;
        int[] batch = new int[8 * 64];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (i * 11 + 7) % 65;
        }
        int[][] batchRows = new int[8][64];
        for (int b = 0; b < 8; b++) {
            System.arraycopy(batch, b * 64, batchRows[b], 0, 64);
        }
        System.out.printf(Locale.ROOT, "GPT %d layers, %d heads, %d wide, vocab 65, context 256; threads %s; %d cores%n",
                layers, heads, width, threads == 0 ? "default" : threads, Runtime.getRuntime().availableProcessors());
        try (org.transformer4j.backend.TrainingEngine cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(threads));
             LoadedWeights w = cpu.load(weights);
             OnnxModel onnx = OnnxModel.open(dir, new OnnxOptions("cpu", threads))) {
            GptGenerator cpuGen = new GptGenerator(model, cpu.inferenceOps(), w);
            GptGenerator onnxGen = new GptGenerator(onnx);
            GenerationOptions greedy = GenerationOptions.greedy(newTokens);
            double cpuGenSec = best(5, () -> cpuGen.generate(prompt, greedy, t -> true));
            double onnxGenSec = best(5, () -> onnxGen.generate(prompt, greedy, t -> true));
            Ops ops = cpu.inferenceOps();
            double cpuFwdSec = best(10, () -> {
                try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(8, 64), batch));
                     Tensor logits = model.logits(ops, w, in)) {
                    logits.toFloatArray();
                }
            });
            double onnxFwdSec = best(10, () -> onnx.logits(batchRows));
            System.out.printf(Locale.ROOT, "%-28s %12s %12s%n", "", "backend-cpu", "onnxruntime");
            System.out.printf(Locale.ROOT, "%-28s %12.0f %12.0f%n", "generation, tokens/s", newTokens / cpuGenSec,
                    newTokens / onnxGenSec);
            System.out.printf(Locale.ROOT, "%-28s %12.2f %12.2f%n", "forward 8x64, ms", cpuFwdSec * 1e3, onnxFwdSec * 1e3);
            System.out.printf(Locale.ROOT, "%-28s %12.0f %12.0f%n", "forward 8x64, tokens/s", 512 / cpuFwdSec,
                    512 / onnxFwdSec);
        }
    }

    /** The best of {@code runs} timed runs after as many warm-up runs, in seconds. */
    private static double best(int runs, Runnable r) {
        for (int i = 0; i < runs * 2; i++) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }
}
