// GPT-2 small shape (12 x 768, 50,257 tokens, 124M parameters, random weights) in Hugging Face layout: write it,
// then time loading and batch-1 greedy generation with the key/value cache (128-token prompt + 128 new tokens).
// Run with the application directory's jars (./mvnw -B -ntp -q package -DskipTests):
//   java --add-modules jdk.incubator.vector -cp 'examples/target/transformer4j/lib/*' scripts/bench/Gpt2SmallBench.java write DIR
//   java --add-modules jdk.incubator.vector -XX:+UseSerialGC -Xms64m -XX:MaxNewSize=256m -XX:MaxRAMPercentage=75 -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000 -cp 'examples/target/transformer4j/lib/*' scripts/bench/Gpt2SmallBench.java cpu DIR
//   java ... scripts/bench/Gpt2SmallBench.java onnx DIR      (DIR/onnx, written by 'write')
//   java ... scripts/bench/Gpt2SmallBench.java cpu DIR THREADS BATCH [bf16]   (batch of BATCH prompts; bf16 weights)
// Each run prints one line: backend, load seconds, prefill seconds, decode tokens/s, the first generated ids.
// scripts/bench/gpt2_small.sh runs all of it with PyTorch side by side and measures peak RSS (it compiles this file
// first, so that the source launcher's javac does not count in the RSS).
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.transformer4j.backend.WeightPrecision;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.nn.Activation;
import org.transformer4j.model.GenerationDefaults;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Initializer;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tokenizer.CharTokenizer;

void main(String[] args) throws Exception {
    String mode = args[0];
    Path dir = Path.of(args[1]);
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    WeightPrecision weights = args.length > 4 ? WeightPrecision.valueOf(args[4].toUpperCase(Locale.ROOT))
            : WeightPrecision.FLOAT32;
    switch (mode) {
        case "write" -> write(dir);
        case "cpu", "onnx" -> {
            // the directory itself for cpu, its export for onnx; both through the front door
            long t0 = System.nanoTime();
            try (LanguageModel lm = LanguageModel.builder(mode.equals("cpu") ? dir : dir.resolve("onnx")).backend(mode)
                    .threads(threads).weights(weights).open()) {
                double load = (System.nanoTime() - t0) / 1e9;
                String name = mode + (weights == WeightPrecision.FLOAT32 ? "" : " " + weights) + " batch " + batch;
                System.out.println(name + ": peak RSS after load " + peakRssMiB() + " MiB");
                if (batch == 1) {
                    run(name, load, lm);
                } else {
                    runBatch(name, load, lm, batch);
                }
            }
        }
        default -> throw new IllegalArgumentException("mode must be write, cpu or onnx, was " + mode);
    }
}

static void write(Path dir) throws Exception {
    GptConfig c = GptConfig.builder().vocabSize(50257).contextLength(1024).layers(12).heads(12).embeddingDim(768)
            .bias(true).tiedEmbeddings(true).activation(Activation.GELU_TANH).build();
    // one character per id (code points 32 to 50,288, below the surrogates), so that the tokenizer covers the whole
    // vocabulary: LanguageModel limits generated and prompt ids to the tokenizer's
    StringBuilder chars = new StringBuilder();
    for (char ch = 32; ch < 32 + 50257; ch++) {
        chars.append(ch);
    }
    GenerationDefaults eos = new GenerationDefaults(java.util.OptionalInt.empty(), java.util.Optional.empty(),
            java.util.OptionalDouble.empty(), java.util.OptionalInt.empty(), java.util.OptionalDouble.empty(),
            java.util.Set.of(50256), java.util.OptionalInt.of(50256));
    new ModelDirectory(c, Initializer.initialize(ModelDirectory.modelFor(c).parameterSpecs(), 5),
            CharTokenizer.fromText(chars.toString()), ModelDirectory.Layout.HUGGING_FACE, eos).save(dir);
    OnnxExporter.export(ModelDirectory.load(dir), dir.resolve("onnx"));
    System.out.println("wrote " + dir + " and " + dir.resolve("onnx"));
}

/** The 128-token prompt every implementation gets. */
static int[] prompt() {
    int[] p = new int[128];
    for (int i = 0; i < p.length; i++) {
        p[i] = (i * 7919 + 13) % 50257;
    }
    return p;
}

static void run(String name, double load, LanguageModel g) {
    int[] prompt = prompt();
    g.generateTokens(prompt, GenerationOptions.greedy(32), t -> true); // warm-up: JIT (C2 for every kernel) and ORT allocations
    long[] first = new long[1];
    long t0 = System.nanoTime();
    int[] out = g.generateTokens(prompt, GenerationOptions.greedy(128), t -> {
        if (first[0] == 0) {
            first[0] = System.nanoTime();
        }
        return true;
    });
    long t1 = System.nanoTime();
    double prefill = (first[0] - t0) / 1e9;
    double decode = (out.length - 1) / ((t1 - first[0]) / 1e9);
    System.out.printf(Locale.ROOT, "%s: load %.2f s, prefill 128 tokens %.3f s, decode %.1f tokens/s, peak RSS %d MiB,"
            + " first ids %s%n", name, load, prefill, decode, peakRssMiB(), Arrays.toString(Arrays.copyOf(out, 12)));
}

/** Row r of a batch: the prompt shifted by 101 r (row 0 is prompt()). */
static int[] prompt(int r) {
    int[] p = prompt();
    for (int i = 0; i < p.length; i++) {
        p[i] = (p[i] + 101 * r) % 50257;
    }
    return p;
}

/** Greedy generation for {@code batch} prompts at once; decode rate = new tokens of all rows / time after the first. */
static void runBatch(String name, double load, LanguageModel g, int batch) {
    java.util.List<int[]> prompts = new java.util.ArrayList<>();
    for (int r = 0; r < batch; r++) {
        prompts.add(prompt(r));
    }
    org.transformer4j.generate.GptGenerator gen = new org.transformer4j.generate.GptGenerator(g.gptRuntime().orElseThrow());
    gen.generate(prompts, java.util.Collections.nCopies(batch, GenerationOptions.greedy(8)), (p, t) -> true); // warm-up
    long[] first = new long[1];
    long t0 = System.nanoTime();
    java.util.List<int[]> out = gen.generate(prompts, java.util.Collections.nCopies(batch, GenerationOptions.greedy(128)),
            (p, t) -> {
                if (first[0] == 0) {
                    first[0] = System.nanoTime();
                }
                return true;
            });
    long t1 = System.nanoTime();
    int tokens = 0;
    for (int[] o : out) {
        tokens += o.length - 1;
    }
    System.out.printf(Locale.ROOT, "%s: load %.2f s, prefill %d x 128 tokens %.3f s, decode %.1f tokens/s (%d rows),"
            + " peak RSS %d MiB, first ids of row 0 %s%n", name, load, batch, (first[0] - t0) / 1e9,
            tokens / ((t1 - first[0]) / 1e9), batch, peakRssMiB(), Arrays.toString(Arrays.copyOf(out.get(0), 12)));
}

/** VmHWM of this process (Linux), in MiB. */
static long peakRssMiB() {
    try {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
    } catch (java.io.IOException e) {
        return -1;
    }
    return -1;
}
