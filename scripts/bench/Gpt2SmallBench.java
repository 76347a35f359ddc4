// GPT-2 small shape (12 x 768, 50,257 tokens, 124M parameters, random weights) in Hugging Face layout: write it,
// then time loading and batch-1 greedy generation with the key/value cache (128-token prompt + 128 new tokens).
// Run with the shaded jar (./mvnw -B -ntp -q -pl examples -am package -DskipTests):
//   java --add-modules jdk.incubator.vector -cp examples/target/transformer4j.jar scripts/bench/Gpt2SmallBench.java write DIR
//   java --add-modules jdk.incubator.vector -Xmx900m -cp examples/target/transformer4j.jar scripts/bench/Gpt2SmallBench.java cpu DIR
//   java ... scripts/bench/Gpt2SmallBench.java onnx DIR      (DIR/onnx, written by 'write')
// Each run prints one line: backend, load seconds, prefill seconds, decode tokens/s, the first generated ids.
// scripts/bench/gpt2_small.sh runs all of it with PyTorch side by side and measures peak RSS.
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.transformer4j.cpu.CpuBackend;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.TokenGenerator;
import org.transformer4j.model.Activation;
import org.transformer4j.model.GenerationDefaults;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Initializer;
import org.transformer4j.onnx.OnnxGptGenerator;
import org.transformer4j.onnx.OnnxModel;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tokenizer.CharTokenizer;

void main(String[] args) throws Exception {
    String mode = args[0];
    Path dir = Path.of(args[1]);
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    switch (mode) {
        case "write" -> write(dir);
        case "cpu" -> {
            long t0 = System.nanoTime();
            ModelDirectory md = ModelDirectory.load(dir);
            double load = (System.nanoTime() - t0) / 1e9;
            System.out.println("cpu: peak RSS after load " + peakRssMiB() + " MiB");
            // the cpu backend itself, not Backends.open: discovery would load TensorFlow's native library too
            try (Engine engine = new CpuBackend().open(EngineOptions.defaults().withThreads(threads));
                 LoadedWeights w = engine.load(md.weights())) {
                run("cpu", load, new GptGenerator(new GptModel((GptConfig) md.config()), engine, w));
            }
        }
        case "onnx" -> {
            long t0 = System.nanoTime();
            try (OnnxModel m = OnnxModel.open(dir.resolve("onnx"))) {
                double load = (System.nanoTime() - t0) / 1e9;
                run("onnx", load, new OnnxGptGenerator(m));
            }
        }
        default -> throw new IllegalArgumentException("mode must be write, cpu or onnx, was " + mode);
    }
}

static void write(Path dir) throws Exception {
    GptConfig c = GptConfig.builder().vocabSize(50257).contextLength(1024).layers(12).heads(12).embeddingDim(768)
            .bias(true).tiedEmbeddings(true).activation(Activation.GELU_TANH).build();
    StringBuilder chars = new StringBuilder();
    for (char ch = 32; ch < 127; ch++) {
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

static void run(String name, double load, TokenGenerator g) {
    int[] prompt = prompt();
    g.generate(prompt, GenerationOptions.greedy(8), t -> true); // warm-up: JIT and ORT allocations
    long[] first = new long[1];
    long t0 = System.nanoTime();
    int[] out = g.generate(prompt, GenerationOptions.greedy(128), t -> {
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
