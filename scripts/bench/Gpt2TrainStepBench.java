import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.data.Batch;
import org.transformer4j.io.Safetensors;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.Activation;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.TrainingProgram;

/**
 * Full GPT-2-small training steps on a backend (issue 17): 12 layers, 12 heads, 768 wide, vocabulary 50,257,
 * context 1024, biases, tied head, exact GELU, pre-LN, dropout 0, random weights (nanoGPT's init through
 * {@link Initializer}), batch 4 x 256 tokens. One step is what {@code Trainer} does for one micro-batch: forward and
 * backward, the global gradient norm and clipping at 1.0, and the AdamW update (lr 6e-4, betas 0.9/0.95, eps 1e-8,
 * weight decay 0.1 on matrices and embeddings: nanoGPT's GPT-2 settings). Prints each step's ms and loss, then the
 * median and best of the timed steps, tokens/s, the peak RSS (VmHWM), the heap and the collections during the timed
 * steps. The PyTorch side is scripts/reference/gpt2_train_step_torch.py; scripts/bench/gpt2_train_step.sh runs both
 * interleaved.
 *
 * <p>With {@code --dump DIR} it also writes DIR/weights.safetensors (the initial weights) and DIR/batch.safetensors
 * (input_ids and targets, int32 [B, T]), so that the PyTorch script ({@code --init DIR}) starts from the same numbers
 * and the per-step losses of both can be compared (the check that both time the same computation).
 *
 * <p>Usage (compiled ahead against the application directory, as gpt2_train_step.sh does):
 * {@code java --add-modules jdk.incubator.vector -XX:+UseSerialGC -Xms64m -XX:MaxNewSize=256m -XX:MaxRAMPercentage=75 -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000 -cp CLASSES:examples/target/transformer4j/lib/*
 * Gpt2TrainStepBench [--layers 12] [--width 768] [--heads 12] [--vocab 50257] [--context 1024] [--batch 4]
 * [--seq 256] [--warmup 2] [--steps 5] [--threads 2] [--backend cpu] [--seed 1] [--dump DIR]}
 */
public class Gpt2TrainStepBench {
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("layers", "12", "width", "768", "heads", "12",
                "vocab", "50257", "context", "1024", "batch", "4", "seq", "256", "warmup", "2", "steps", "5",
                "threads", "2"));
        o.put("backend", "cpu");
        o.put("seed", "1");
        for (int i = 0; i < args.length; i += 2) {
            String key = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!o.containsKey(key) && !key.equals("dump") || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value at '" + args[i] + "'; options: --"
                        + String.join(" --", o.keySet()) + " --dump DIR, each followed by its value");
            }
            o.put(key, args[i + 1]);
        }
        int b = Integer.parseInt(o.get("batch"));
        int t = Integer.parseInt(o.get("seq"));
        int warmup = Integer.parseInt(o.get("warmup"));
        int steps = Integer.parseInt(o.get("steps"));
        int threads = Integer.parseInt(o.get("threads"));
        long seed = Long.parseLong(o.get("seed"));
        String backend = o.get("backend");
        GptConfig c = GptConfig.builder().vocabSize(Integer.parseInt(o.get("vocab")))
                .contextLength(Integer.parseInt(o.get("context"))).layers(Integer.parseInt(o.get("layers")))
                .heads(Integer.parseInt(o.get("heads"))).embeddingDim(Integer.parseInt(o.get("width")))
                .bias(true).tiedEmbeddings(true).activation(Activation.GELU).dropout(0f).build();
        GptModel model = new GptModel(c);
        long t0 = System.nanoTime();
        Map<String, HostTensor> weights = Initializer.initialize(model.parameterSpecs(), seed);
        long params = weights.values().stream().mapToLong(w -> w.shape().size()).sum();
        Batch batch = batch(b, t, c.vocabSize(), seed);
        if (o.containsKey("dump")) {
            Path dir = Path.of(o.get("dump"));
            Files.createDirectories(dir);
            Safetensors.write(dir.resolve("weights.safetensors"), weights, Map.of());
            Map<String, HostTensor> ids = new LinkedHashMap<>();
            ids.put("input_ids", (HostTensor) batch.get("input_ids"));
            ids.put("targets", (HostTensor) batch.get("targets"));
            Safetensors.write(dir.resolve("batch.safetensors"), ids, Map.of());
            System.out.println("wrote " + dir.resolve("weights.safetensors") + " and " + dir.resolve("batch.safetensors"));
        }
        System.out.printf(Locale.ROOT, "transformer4j %s, %d threads: GPT %d layers x %d wide, %d heads, vocabulary %d,"
                + " context %d, %,d parameters, batch %d x %d; set up in %.1f s%n", backend, threads, c.layers(),
                c.embeddingDim(), c.heads(), c.vocabSize(), c.contextLength(), params, b, t,
                (System.nanoTime() - t0) / 1e9);
        float lr = 6e-4f;
        float clipAt = 1f;
        try (TrainingEngine e = Backends.openTraining(backend, EngineOptions.defaults().withThreads(threads));
             TrainingProgram p = e.compileTraining(model, weights)) {
            weights = null; // the program holds its own copy; let this one go
            double[] ms = new double[steps];
            long gcCount0 = 0;
            long gcMs0 = 0;
            for (int s = 0; s < warmup + steps; s++) {
                if (s == warmup) {
                    gcCount0 = gcCount();
                    gcMs0 = gcMillis();
                }
                long a = System.nanoTime();
                float loss = p.forwardBackward(batch);
                double norm = p.gradientNorm();
                float clip = norm > clipAt ? (float) (clipAt / (norm + 1e-6)) : 1f;
                p.step(new AdamWStep(lr, 0.9f, 0.95f, 1e-8f, 0.1f, clip));
                double took = (System.nanoTime() - a) / 1e6;
                System.out.printf(Locale.ROOT, "  step %d%s: %.0f ms, loss %.6f, grad norm %.4f%n", s + 1,
                        s < warmup ? " (warm-up)" : "", took, loss, norm);
                if (s >= warmup) {
                    ms[s - warmup] = took;
                }
            }
            long gcs = gcCount() - gcCount0;
            long gcMs = gcMillis() - gcMs0;
            Runtime rt = Runtime.getRuntime();
            long used = rt.totalMemory() - rt.freeMemory();
            long committed = rt.totalMemory();
            System.gc();
            long live = rt.totalMemory() - rt.freeMemory(); // weights, gradients, moments and the step's buffers
            if (steps > 0) {
                Arrays.sort(ms);
                double median = steps % 2 == 1 ? ms[steps / 2] : (ms[steps / 2 - 1] + ms[steps / 2]) / 2;
                System.out.printf(Locale.ROOT, "transformer4j %s train step (%d x %d, %d threads): median %.0f ms, best"
                        + " %.0f ms over %d steps (after %d warm-up), %.0f tokens/s; peak RSS %,d MiB; heap after the last"
                        + " step: used %,d MiB (live after a full GC %,d MiB), committed %,d MiB, max %,d MiB; %d"
                        + " collections, %d ms in the timed steps (%s)%n",
                        backend, b, t, threads, median, ms[0], steps, warmup, b * t / (median / 1e3),
                        peakRssKib() / 1024, used >> 20, live >> 20, committed >> 20, rt.maxMemory() >> 20, gcs, gcMs,
                        gcNames());
            }
        }
    }

    /**
     * Input ids and next-token targets [B, T] from one seeded stream of B(T+1) ids (the same for every backend).
     */
    static Batch batch(int b, int t, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed + 1000);
        int[] in = new int[b * t];
        int[] tg = new int[b * t];
        for (int row = 0; row < b; row++) {
            int prev = r.nextInt(vocab);
            for (int i = 0; i < t; i++) {
                int next = r.nextInt(vocab);
                in[row * t + i] = prev;
                tg[row * t + i] = next;
                prev = next;
            }
        }
        return new Batch(Map.of("input_ids", HostTensor.ofInts(Shape.of(b, t), in),
                "targets", HostTensor.ofInts(Shape.of(b, t), tg)));
    }

    static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
    }

    static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .sum();
    }

    static String gcNames() {
        return String.join(" + ", ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList());
    }

    static long peakRssKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
