package org.transformer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.io.Safetensors;
import org.transformer4j.tensor.HostTensor;

/**
 * The expected results a PyTorch script of {@code scripts/reference/} wrote into {@code reference.safetensors}
 * ({@code input_ids}/{@code logits}, the left-padded {@code padded_*} batch, {@code greedy_prompt}/{@code greedy_tokens}),
 * held against an {@link OnnxModel}: logits without and with the key/value cache, of the padded batch at its real
 * tokens, and the greedy tokens through {@link GptGenerator} (cached) and by full recompute. Tolerance 1e-4
 * absolute: float32 ONNX Runtime against PyTorch's float64.
 */
final class PyTorchReference {
    static final double TOLERANCE = 1e-4;

    private final String name;
    private final Map<String, HostTensor> ref;

    private PyTorchReference(String name, Map<String, HostTensor> ref) {
        this.name = name;
        this.ref = ref;
    }

    /** Reads {@code reference.safetensors} of a directory. */
    static PyTorchReference read(String name, Path dir) throws IOException {
        return new PyTorchReference(name, Safetensors.read(dir.resolve("reference.safetensors")).tensors());
    }

    /** Copies the class-path resources {@code resourceDir/file} into {@code dir} (created) and returns it. */
    static Path copy(String resourceDir, Path dir, String... files) throws IOException {
        Files.createDirectories(dir);
        for (String f : files) {
            String resource = resourceDir + "/" + f;
            try (InputStream in = PyTorchReference.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("test resource " + resource + " is missing; regenerate it with its script "
                            + "under scripts/reference/");
                }
                Files.copy(in, dir.resolve(f));
            }
        }
        return dir;
    }

    private int[][] rows(String key) {
        HostTensor t = ref.get(key);
        if (t == null) {
            throw new IllegalStateException(name + ": reference.safetensors has no '" + key + "'");
        }
        int b = t.shape().dim(0);
        int n = t.shape().dim(1);
        int[] flat = t.toIntArray();
        int[][] out = new int[b][n];
        for (int r = 0; r < b; r++) {
            System.arraycopy(flat, r * n, out[r], 0, n);
        }
        return out;
    }

    private float[] floats(String key) {
        return ref.get(key).floats();
    }

    /** The whole batch in one run, empty past. */
    void logitsMatch(OnnxModel model) {
        assertClose("logits without cache", model.logits(rows("input_ids")).floats(), floats("logits"), null, model);
    }

    /** A prompt of 3 then one token at a time through an {@link OnnxKvCache}: PyTorch's logits, and the uncached ones. */
    void cachedLogitsMatch(OnnxModel model) {
        int[][] ids = rows("input_ids");
        int b = ids.length;
        int t = ids[0].length;
        int v = model.vocabSize();
        float[] all = new float[b * t * v];
        try (OnnxKvCache cache = model.newCache(b)) {
            int from = 0;
            while (from < t) {
                int to = from == 0 ? 3 : from + 1;
                int[][] part = new int[b][];
                for (int r = 0; r < b; r++) {
                    part[r] = java.util.Arrays.copyOfRange(ids[r], from, to);
                }
                float[] logits = model.step(part, cache).floats();
                for (int r = 0; r < b; r++) {
                    System.arraycopy(logits, r * (to - from) * v, all, (r * t + from) * v, (to - from) * v);
                }
                from = to;
            }
            assertEquals(t, cache.length(), name + ": cache length");
        }
        assertClose("logits with the key/value cache", all, floats("logits"), null, model);
        float[] uncached = model.logits(ids).floats();
        double worst = 0;
        for (int i = 0; i < all.length; i++) {
            worst = Math.max(worst, Math.abs(all[i] - uncached[i]));
        }
        assertTrue(worst <= 1e-5, name + ": cached logits differ from uncached by " + worst);
    }

    /** The left-padded batch with HF's position ids and mask, compared at the real tokens. */
    void paddedLogitsMatch(OnnxModel model) {
        int[][] mask = rows("padded_mask");
        float[] logits = model.logits(rows("padded_input_ids"), rows("padded_position_ids"), mask).floats();
        assertClose("left-padded logits", logits, floats("padded_logits"), mask, model);
    }

    /** Greedy continuation through the generator (cached) and by full recompute equals PyTorch's tokens. */
    void greedyTokensMatch(OnnxModel model) {
        int[][] prompt = rows("greedy_prompt");
        int[][] want = rows("greedy_tokens");
        GptGenerator generator = new GptGenerator(model);
        for (int r = 0; r < prompt.length; r++) {
            int n = want[r].length;
            assertArrayEquals(want[r], generator.generate(prompt[r], GenerationOptions.greedy(n), tok -> true),
                    name + " row " + r + ": greedy tokens with the key/value cache");
            int[] seq = java.util.Arrays.copyOf(prompt[r], prompt[r].length + n);
            for (int s = 0; s < n; s++) {
                int len = prompt[r].length + s;
                float[] logits = model.logits(new int[][] {java.util.Arrays.copyOf(seq, len)}).floats();
                seq[len] = argmax(logits, (len - 1) * model.vocabSize(), model.vocabSize());
            }
            assertArrayEquals(want[r], java.util.Arrays.copyOfRange(seq, prompt[r].length, seq.length),
                    name + " row " + r + ": greedy tokens by full recompute");
        }
    }

    /** The reference's greedy prompts and tokens, for checks through other front ends. */
    int[][] greedyPrompt() {
        return rows("greedy_prompt");
    }

    int[][] greedyTokens() {
        return rows("greedy_tokens");
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[from + j] > v[from + best]) {
                best = j;
            }
        }
        return best;
    }

    /** Max absolute difference at most {@link #TOLERANCE}, over the positions whose mask is 1 (all when null). */
    private void assertClose(String what, float[] actual, float[] expected, int[][] mask, OnnxModel model) {
        assertEquals(expected.length, actual.length, name + " " + what + ": length");
        int v = model.vocabSize();
        int t = mask == null ? 0 : mask[0].length;
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            int pos = i / v;
            if (mask != null && mask[pos / t][pos % t] == 0) {
                continue;
            }
            double d = Math.abs((double) actual[i] - expected[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= TOLERANCE, name + " " + what + ": max |ONNX Runtime - PyTorch| = " + worst
                + " at flat index " + at + ", tolerance " + TOLERANCE);
    }
}
