// SmolLM2-135M shape (30 x 576, 9 heads / 3 key/value heads, 1536 MLP, 49,152 tokens, tied; random weights in
// Hugging Face layout, written by scripts/reference/llama_bench_torch.py write DIR): load time, peak RSS and greedy
// decode rate with the key/value cache at batch B, through the front door and its GptRuntime, on the backend
// LanguageModel's selection rules pick for DIR (cpu for the Hugging Face directory, onnx for the directory
// `transformer4j export --model DIR --out DIR-onnx` writes) or the one named by BACKEND.
// Run with the application directory's jars (./mvnw -B -ntp -q package -DskipTests):
//   java --add-modules jdk.incubator.vector -Xmx1500m -cp 'examples/target/transformer4j/lib/*' \
//       scripts/bench/SmolLm2Bench.java DIR BATCH [THREADS] [PROMPT] [NEW] [BACKEND]
// The loop is the one of llama_bench_torch.py and JlamaBench.java: B rows of a PROMPT-token prompt (row r, position
// i: (i * 7919 + 13 + 101 r) % V) prefilled in one call, then NEW - 1 steps of one token per row, greedy; decode
// tokens/s = B (NEW - 1) over the time of those steps. scripts/bench/smollm2.sh interleaves it (cpu and onnx) with
// PyTorch and Jlama.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.inference.LanguageModel;

void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int batch = Integer.parseInt(args[1]);
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    int promptLength = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    int steps = args.length > 4 ? Integer.parseInt(args[4]) : 64;
    String backend = args.length > 5 ? args[5] : null; // null: the selection rules pick
    long t0 = System.nanoTime();
    try (LanguageModel lm = LanguageModel.builder(dir).backend(backend).threads(threads).open()) {
        double load = (System.nanoTime() - t0) / 1e9;
        long rssLoaded = peakRssMiB();
        GptRuntime rt = lm.gptRuntime().orElseThrow();
        // The prompts use the model's vocabulary, as the other benches' do; the front door's runtime returns
        // logits for the tokenizer's ids only (rt.vocabSize()), so greedy picks among those.
        int v = lm.vocabSize();
        decode(rt, prompt(batch, 8, v), 8); // warm-up: JIT, buffers
        int[][] ids = prompt(batch, promptLength, v);
        long[] times = new long[3];
        int[] row0 = decode(rt, ids, steps, times);
        double prefill = (times[1] - times[0]) / 1e9;
        double rate = batch * (steps - 1) / ((times[2] - times[1]) / 1e9);
        System.out.printf(Locale.ROOT, "transformer4j-%s batch %d: load %.2f s, prefill %dx%d %.3f s, decode %.1f"
                        + " tokens/s, peak RSS %d MiB (after load %d MiB), threads %s, row 0 ids %s%n", lm.backend(),
                batch, load, batch, promptLength, prefill, rate, peakRssMiB(), rssLoaded, threads == 0 ? "all" : threads,
                Arrays.toString(Arrays.copyOf(row0, 8)));
    }
}

static int[] decode(GptRuntime rt, int[][] ids, int steps) {
    return decode(rt, ids, steps, new long[3]);
}

/** Prefill, then steps - 1 greedy steps; times: start, first token, end. Returns row 0's tokens. */
static int[] decode(GptRuntime rt, int[][] ids, int steps, long[] times) {
    int b = ids.length;
    int p = ids[0].length;
    int v = rt.vocabSize();
    int[][] positions = new int[b][p];
    for (int[] row : positions) {
        Arrays.setAll(row, i -> i);
    }
    int[] out = new int[steps];
    try (GptCache cache = rt.newCache(b)) {
        times[0] = System.nanoTime();
        int[][] next = argmax(rt.forward(cache, ids, positions, null, true), b, v);
        times[1] = System.nanoTime();
        out[0] = next[0][0];
        for (int s = 1; s < steps; s++) {
            int[][] pos = new int[b][1];
            for (int[] row : pos) {
                row[0] = p + s - 1;
            }
            next = argmax(rt.forward(cache, next, pos, null, true), b, v);
            out[s] = next[0][0];
        }
        times[2] = System.nanoTime();
    }
    return out;
}

static int[][] argmax(float[] logits, int b, int v) {
    int[][] ids = new int[b][1];
    for (int r = 0; r < b; r++) {
        int best = 0;
        for (int j = 1; j < v; j++) {
            if (logits[r * v + j] > logits[r * v + best]) {
                best = j;
            }
        }
        ids[r][0] = best;
    }
    return ids;
}

/** The prompts every bench uses. */
static int[][] prompt(int batch, int length, int vocab) {
    int[][] p = new int[batch][length];
    for (int r = 0; r < batch; r++) {
        for (int i = 0; i < length; i++) {
            p[r][i] = (int) (((long) i * 7919 + 13 + 101L * r) % vocab);
        }
    }
    return p;
}

/** VmHWM of this process (Linux), in MiB. */
static long peakRssMiB() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
    }
    return -1;
}
