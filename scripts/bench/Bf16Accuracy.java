// bfloat16 inference weights against float32 on one model directory (cpu backend): the largest logit difference and
// the validation loss over non-overlapping windows of a text, and greedy agreement over N prompts taken from it.
// Run with the application directory's jars (./mvnw -B -ntp -q package -DskipTests):
//   java --add-modules jdk.incubator.vector -cp 'examples/target/transformer4j/lib/*' scripts/bench/Bf16Accuracy.java \
//       DIR TEXT [PROMPTS (50)] [NEW_TOKENS (32)] [WINDOWS (all)]
// TEXT is read as UTF-8 and encoded with the directory's tokenizer; the last 10% of it is the validation text (the
// shakespeare-char recipe's split, for examples/src/main/resources/org/transformer4j/examples/tinyshakespeare.txt).
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.transformer4j.backend.WeightPrecision;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.inference.LanguageModel;

void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String text = Files.readString(Path.of(args[1]));
    int prompts = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int newTokens = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    int maxWindows = args.length > 4 ? Integer.parseInt(args[4]) : Integer.MAX_VALUE;
    try (LanguageModel f32 = LanguageModel.builder(dir).backend("cpu").open();
         LanguageModel bf16 = LanguageModel.builder(dir).backend("cpu").weights(WeightPrecision.BF16).open()) {
        int[] all = f32.tokenizer().encode(text);
        int[] val = Arrays.copyOfRange(all, all.length * 9 / 10, all.length);
        int ctx = Math.min(f32.contextLength(), 256);
        int windows = Math.min(maxWindows, (val.length - 1) / ctx);
        GptRuntime a = f32.gptRuntime().orElseThrow();
        GptRuntime b = bf16.gptRuntime().orElseThrow();
        int vocab = f32.vocabSize();
        double lossA = 0;
        double lossB = 0;
        double maxDiff = 0;
        double sumDiff = 0;
        long count = 0;
        int argmaxSame = 0;
        for (int w = 0; w < windows; w++) {
            int[] ids = Arrays.copyOfRange(val, w * ctx, w * ctx + ctx);
            float[] la = logits(a, ids);
            float[] lb = logits(b, ids);
            for (int t = 0; t < ctx; t++) {
                int target = val[w * ctx + t + 1];
                lossA += crossEntropy(la, t * vocab, vocab, target);
                lossB += crossEntropy(lb, t * vocab, vocab, target);
                int ma = 0;
                int mb = 0;
                for (int v = 0; v < vocab; v++) {
                    double d = Math.abs(la[t * vocab + v] - lb[t * vocab + v]);
                    maxDiff = Math.max(maxDiff, d);
                    sumDiff += d;
                    if (la[t * vocab + v] > la[t * vocab + ma]) {
                        ma = v;
                    }
                    if (lb[t * vocab + v] > lb[t * vocab + mb]) {
                        mb = v;
                    }
                }
                argmaxSame += ma == mb ? 1 : 0;
                count++;
            }
        }
        int same = 0;
        long prefixTokens = 0;
        int promptLength = Math.min(16, ctx / 4);
        for (int p = 0; p < prompts; p++) {
            int at = (int) ((long) p * (val.length - promptLength - 1) / Math.max(1, prompts));
            int[] prompt = Arrays.copyOfRange(val, at, at + promptLength);
            int[] ga = f32.generateTokens(prompt, GenerationOptions.greedy(newTokens), t -> true);
            int[] gb = bf16.generateTokens(prompt, GenerationOptions.greedy(newTokens), t -> true);
            same += Arrays.equals(ga, gb) ? 1 : 0;
            int k = 0;
            while (k < Math.min(ga.length, gb.length) && ga[k] == gb[k]) {
                k++;
            }
            prefixTokens += k;
        }
        System.out.printf(Locale.ROOT, "%s: %d validation windows of %d tokens: loss float32 %.5f, bf16 %.5f"
                        + " (difference %+.5f); logits: max |diff| %.5f, mean |diff| %.6f, same argmax %.2f%%%n",
                dir, windows, ctx, lossA / count, lossB / count, (lossB - lossA) / count, maxDiff, sumDiff / count / vocab,
                100.0 * argmaxSame / count);
        System.out.printf(Locale.ROOT, "greedy, %d prompts of %d tokens + %d new: %d identical (%.0f%%), mean agreeing"
                + " prefix %.1f of %d tokens%n", prompts, promptLength, newTokens, same, 100.0 * same / prompts,
                (double) prefixTokens / prompts, newTokens);
    }
}

/** Logits [t, V] of every position of one window, from an empty cache. */
static float[] logits(GptRuntime r, int[] ids) {
    try (GptCache cache = r.newCache(1)) {
        return r.forward(cache, new int[][] {ids}, null, null, false);
    }
}

static double crossEntropy(float[] logits, int off, int vocab, int target) {
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
        max = Math.max(max, logits[off + v]);
    }
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
        sum += Math.exp(logits[off + v] - max);
    }
    return Math.log(sum) + max - logits[off + target];
}
