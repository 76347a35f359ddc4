import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.data.Batch;
import org.transformer4j.lora.LoraConfig;
import org.transformer4j.lora.LoraModel;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.TrainingProgram;

/**
 * One LoRA training step (forward, backward, AdamW on the adapters) at SmolLM2-135M's shape (30 layers, hidden 576,
 * 9 heads / 3 key-value heads, MLP 1536, vocabulary 49,152, tied head, random weights), batch 4 x 256 tokens, rank 8
 * on q_proj and v_proj (PEFT's default for Llama), on the backend named. Prints ms per step (each step measured
 * alone, median and min) and the process's peak RSS. The PyTorch side is scripts/reference/lora_step_torch.py;
 * scripts/bench/lora_step.sh runs both interleaved.
 *
 * <p>Usage: java --add-modules jdk.incubator.vector -cp CLASSPATH scripts/bench/LoraStepBench.java [backend] [steps]
 */
public class LoraStepBench {
    public static void main(String[] args) throws Exception {
        String backend = args.length > 0 ? args[0] : "cpu";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int threads = Runtime.getRuntime().availableProcessors();
        LlamaConfig c = LlamaConfig.builder().vocabSize(49152).hiddenSize(576).intermediateSize(1536).layers(30)
                .heads(9).kvHeads(3).headDim(64).rmsNormEps(1e-5f).ropeTheta(100000).maxPositionEmbeddings(8192)
                .tieWordEmbeddings(true).build();
        LlamaModel base = new LlamaModel(c);
        long t0 = System.nanoTime();
        Map<String, HostTensor> weights = Initializer.initialize(base.parameterSpecs(), 1);
        LoraModel lora = new LoraModel(base, weights, new LoraConfig(8, 16f, List.of("q_proj", "v_proj"), 0f));
        long params = weights.values().stream().mapToLong(t -> t.shape().size()).sum();
        long trained = lora.parameterSpecs().stream().mapToLong(s -> s.shape().size()).sum();
        Random r = new Random(7);
        int b = 4;
        int t = 256;
        int[] ids = new int[b * (t + 1)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(c.vocabSize());
        }
        int[] in = new int[b * t];
        int[] tg = new int[b * t];
        for (int row = 0; row < b; row++) {
            System.arraycopy(ids, row * (t + 1), in, row * t, t);
            System.arraycopy(ids, row * (t + 1) + 1, tg, row * t, t);
        }
        Batch batch = new Batch(Map.of("input_ids", HostTensor.ofInts(Shape.of(b, t), in),
                "targets", HostTensor.ofInts(Shape.of(b, t), tg)));
        AdamWStep adamw = new AdamWStep(1e-4f, 0.9f, 0.999f, 1e-8f, 0f, 1f);
        System.out.printf(Locale.ROOT, "transformer4j %s, %d threads: %,d base parameters (frozen), %,d LoRA "
                + "parameters, set up in %.1f s%n", backend, threads, params, trained, (System.nanoTime() - t0) / 1e9);
        try (TrainingEngine e = Backends.openTraining(backend, EngineOptions.defaults().withThreads(threads));
             TrainingProgram p = e.compileTraining(lora, Initializer.initialize(lora.parameterSpecs(), 2))) {
            double[] ms = new double[steps];
            for (int s = -1; s < steps; s++) { // step -1 warms up (arena, JIT, graph tracing)
                long a = System.nanoTime();
                p.zeroGradients();
                float loss = p.forwardBackward(batch);
                p.step(adamw);
                double took = (System.nanoTime() - a) / 1e6;
                System.out.printf(Locale.ROOT, "  step %d: %.0f ms, loss %.4f%n", s + 1, took, loss);
                if (s >= 0) {
                    ms[s] = took;
                }
            }
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long live = rt.totalMemory() - rt.freeMemory(); // weights, adapters, moments and the step's arena
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "transformer4j %s LoRA step (4 x 256): median %.0f ms, min %.0f ms over %d"
                    + " steps; peak RSS %,d MiB (heap limit %,d MiB; live heap after a step %,d MiB)%n", backend,
                    ms[steps / 2], ms[0], steps, peakRssKib() / 1024, rt.maxMemory() >> 20, live >> 20);
        }
    }

    private static long peakRssKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
