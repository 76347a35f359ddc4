// Jlama (com.github.tjake:jlama-core 0.8.4, pure Java on the Vector API) on the same SmolLM2-shaped directory as
// SmolLm2Bench.java and llama_bench_torch.py, with the same loop: a PROMPT-token prompt prefilled in one call
// (batchForward), then NEW - 1 greedy steps of one token with its KV cache; decode tokens/s = (NEW - 1) over their
// time. Jlama decodes one sequence per cache (it has no batch of sequences), so it runs at batch 1 only.
// Bench-only: its jars come from scripts/bench/jlama/pom.xml (dependency:copy-dependencies into target/lib):
//   java --add-modules jdk.incubator.vector -Xmx1500m -cp 'scripts/bench/jlama/target/lib/*' \
//       scripts/bench/JlamaBench.java DIR [THREADS] [PROMPT] [NEW] [WORKING_DTYPE]
import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

void main(String[] args) throws Exception {
    File dir = new File(args[0]);
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    int promptLength = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    DType working = args.length > 4 ? DType.valueOf(args[4]) : DType.F32;
    if (threads > 0) {
        PhysicalCoreExecutor.overrideThreadCount(threads);
    }
    long t0 = System.nanoTime();
    AbstractModel m = ModelSupport.loadModel(dir, working, working);
    double load = (System.nanoTime() - t0) / 1e9;
    int v = m.getConfig().vocabularySize;
    decode(m, prompt(8, v), 8, new long[3]); // warm-up
    long[] times = new long[3];
    int[] out = decode(m, prompt(promptLength, v), steps, times);
    System.out.printf(Locale.ROOT, "jlama batch 1: load %.2f s, prefill 1x%d %.3f s, decode %.1f tokens/s, peak RSS %d"
                    + " MiB, threads %s, working %s, ids %s%n", load, promptLength, (times[1] - times[0]) / 1e9,
            (steps - 1) / ((times[2] - times[1]) / 1e9), peakRssMiB(), threads == 0 ? "default" : threads, working,
            Arrays.toString(Arrays.copyOf(out, 8)));
    m.close();
}

static int[] decode(AbstractModel m, int[] prompt, int steps, long[] times) {
    int[] out = new int[steps];
    try (KvBufferCache caches = new KvBufferCache(m); var kv = caches.getKvBuffer(UUID.randomUUID());
         AbstractTensor logits = m.makeDenseTensor(m.getConfig().vocabularySize)) {
        times[0] = System.nanoTime();
        AbstractTensor h = m.batchForward(prompt, 0, kv);
        int next = m.sample(h.slice(h.shape().first() - 1), 0f, 0f, logits);
        h.close();
        times[1] = System.nanoTime();
        out[0] = next;
        for (int s = 1; s < steps; s++) {
            h = m.batchForward(new int[] {next}, prompt.length + s - 1, kv);
            next = m.sample(h.slice(h.shape().first() - 1), 0f, 0f, logits);
            h.close();
            out[s] = next;
        }
        times[2] = System.nanoTime();
    }
    return out;
}

/** Row 0 of the prompts every bench uses. */
static int[] prompt(int length, int vocab) {
    int[] p = new int[length];
    for (int i = 0; i < length; i++) {
        p[i] = (int) (((long) i * 7919 + 13) % vocab);
    }
    return p;
}

static long peakRssMiB() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
    }
    return -1;
}
