package org.transformer4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.io.Safetensors;
import org.transformer4j.model.KvCache;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.model.ModelConfigJson;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The PyTorch fixtures of {@code scripts/reference/llama_reference_torch.py} (HF's Llama and Qwen2 formulas, random
 * BF16 weights in HF layout) held against an engine: its logits with and without the key/value cache, of a
 * left-padded batch with position ids, and its greedy tokens with and without the cache. Used by each backend's
 * tests. Tolerance 1e-4 absolute on logits of standard deviation about 2: float32 against PyTorch's float64.
 */
public final class LlamaReferenceFixture {
    /** The fixtures under {@code src/test/resources/org/transformer4j/llama}. */
    public static final String[] MODELS = {"tiny-llama", "tiny-qwen2"};
    private static final double TOLERANCE = 1e-4;

    private final String name;
    private final LlamaModel model;
    private final Map<String, HostTensor> weights;
    private final Map<String, HostTensor> reference;

    private LlamaReferenceFixture(String name, LlamaModel model, Map<String, HostTensor> weights,
                                  Map<String, HostTensor> reference) {
        this.name = name;
        this.model = model;
        this.weights = weights;
        this.reference = reference;
    }

    /**
     * Reads fixture {@code name} as a model directory would be read: config.json through {@link ModelConfigJson}, the
     * BF16 safetensors through {@link Safetensors} and {@link ModelDirectory#checkWeights} (HF names, tied heads).
     * The files are copied out of the class path into {@code tmp} first (they may sit in a jar).
     */
    public static LlamaReferenceFixture load(String name, Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String f : new String[] {"config.json", "model.safetensors", "reference.safetensors"}) {
            String resource = "/org/transformer4j/llama/" + name + "/" + f;
            try (InputStream in = LlamaReferenceFixture.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("test resource " + resource + " is missing; regenerate it with "
                            + "scripts/reference/llama_reference_torch.py");
                }
                Files.copy(in, dir.resolve(f));
            }
        }
        LlamaConfig config = (LlamaConfig) ModelConfigJson.fromJson(
                Files.readString(dir.resolve("config.json"), StandardCharsets.UTF_8));
        Map<String, HostTensor> weights = ModelDirectory.checkWeights(dir.resolve("model.safetensors"), config,
                Safetensors.read(dir.resolve("model.safetensors")).tensors());
        return new LlamaReferenceFixture(name, new LlamaModel(config), weights,
                Safetensors.read(dir.resolve("reference.safetensors")).tensors());
    }

    private HostTensor ref(String key) {
        HostTensor t = reference.get(key);
        if (t == null) {
            throw new IllegalStateException(name + ": reference.safetensors has no '" + key + "'");
        }
        return t;
    }

    private static HostTensor ints(HostTensor t) {
        return HostTensor.ofInts(t.shape(), t.toIntArray());
    }

    /** Logits of the whole batch in one call, against PyTorch's. */
    public void logitsMatch(InferenceEngine engine) {
        Ops ops = engine.inferenceOps();
        try (LoadedWeights w = engine.load(weights);
             Tensor logits = model.logits(ops, w, ops.constant(ints(ref("input_ids"))))) {
            assertEquals(ref("logits").shape(), logits.shape(), name);
            assertClose("logits without cache", logits.toFloatArray(), ref("logits").floats(), null);
        }
    }

    /** Logits fed as a prompt of 3 then one token at a time through the key/value cache. */
    public void cachedLogitsMatch(InferenceEngine engine) {
        Ops ops = engine.inferenceOps();
        HostTensor ids = ints(ref("input_ids"));
        int b = ids.shape().dim(0);
        int t = ids.shape().dim(1);
        int v = model.config().vocabSize();
        float[] all = new float[b * t * v];
        try (LoadedWeights w = engine.load(weights); KvCache cache = model.newCache()) {
            int from = 0;
            while (from < t) {
                int to = from == 0 ? 3 : from + 1;
                try (Tensor logits = model.logits(ops, w, ops.constant(columns(ids, from, to)), null, cache, null)) {
                    float[] part = logits.toFloatArray();
                    for (int r = 0; r < b; r++) {
                        System.arraycopy(part, r * (to - from) * v, all, (r * t + from) * v, (to - from) * v);
                    }
                }
                from = to;
            }
            assertEquals(t, cache.length(), name + ": cache length");
            int kvWidth = model.config().kvHeads() * model.config().headDim();
            assertEquals(Shape.of(b, t, kvWidth), cache.self(0).keys().shape(), name + ": the cache holds only the "
                    + "key/value heads");
        }
        assertClose("logits with the key/value cache", all, ref("logits").floats(), null);
    }

    /** A left-padded batch with a key mask and HF's position ids, compared at the real tokens. */
    public void paddedLogitsMatch(InferenceEngine engine) {
        Ops ops = engine.inferenceOps();
        HostTensor mask = ints(ref("padded_mask"));
        try (LoadedWeights w = engine.load(weights);
             Tensor logits = model.logits(ops, w, ops.constant(ints(ref("padded_input_ids"))),
                     ops.constant(ints(ref("padded_position_ids"))), null, ops.constant(mask))) {
            assertClose("left-padded logits", logits.toFloatArray(), ref("padded_logits").floats(), mask.ints());
        }
    }

    /** Greedy continuation of the prompts with the cache, and by full recompute, equal PyTorch's tokens. */
    public void greedyTokensMatch(InferenceEngine engine) {
        Ops ops = engine.inferenceOps();
        HostTensor prompt = ints(ref("greedy_prompt"));
        int[] want = ref("greedy_tokens").toIntArray();
        int b = prompt.shape().dim(0);
        int n = want.length / b;
        int v = model.config().vocabSize();
        try (LoadedWeights w = engine.load(weights)) {
            int[] cached = new int[b * n];
            try (KvCache cache = model.newCache()) {
                HostTensor step = prompt;
                for (int s = 0; s < n; s++) {
                    try (Tensor logits = model.logits(ops, w, ops.constant(step), null, cache, null)) {
                        int[] next = argmaxLast(logits.toFloatArray(), b, step.shape().dim(1), v);
                        for (int r = 0; r < b; r++) {
                            cached[r * n + s] = next[r];
                        }
                        step = HostTensor.ofInts(Shape.of(b, 1), next);
                    }
                }
            }
            assertArrayEquals(want, cached, name + ": greedy tokens with the key/value cache");
            int p = prompt.shape().dim(1);
            int[] seq = new int[b * (p + n)];
            for (int r = 0; r < b; r++) {
                System.arraycopy(prompt.ints(), r * p, seq, r * (p + n), p);
            }
            int[] full = new int[b * n];
            for (int s = 0; s < n; s++) {
                HostTensor ids = columns(HostTensor.ofInts(Shape.of(b, p + n), seq), 0, p + s);
                try (Tensor logits = model.logits(ops, w, ops.constant(ids))) {
                    int[] next = argmaxLast(logits.toFloatArray(), b, p + s, v);
                    for (int r = 0; r < b; r++) {
                        full[r * n + s] = next[r];
                        seq[r * (p + n) + p + s] = next[r];
                    }
                }
            }
            assertArrayEquals(want, full, name + ": greedy tokens by full recompute");
        }
    }

    private static int[] argmaxLast(float[] logits, int b, int t, int v) {
        int[] out = new int[b];
        for (int r = 0; r < b; r++) {
            int off = (r * t + t - 1) * v;
            int best = 0;
            for (int j = 1; j < v; j++) {
                if (logits[off + j] > logits[off + best]) {
                    best = j;
                }
            }
            out[r] = best;
        }
        return out;
    }

    private static HostTensor columns(HostTensor ids, int from, int to) {
        int b = ids.shape().dim(0);
        int t = ids.shape().dim(1);
        int[] v = ids.toIntArray();
        int[] out = new int[b * (to - from)];
        for (int r = 0; r < b; r++) {
            System.arraycopy(v, r * t + from, out, r * (to - from), to - from);
        }
        return HostTensor.ofInts(Shape.of(b, to - from), out);
    }

    /** Max absolute difference at most 1e-4, over the positions whose mask is 1 (all when null). */
    private void assertClose(String what, float[] actual, float[] expected, int[] mask) {
        assertEquals(expected.length, actual.length, name + " " + what + ": length");
        int v = model.config().vocabSize();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            if (mask != null && mask[i / v] == 0) {
                continue;
            }
            double d = Math.abs((double) actual[i] - expected[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        System.out.printf("%s %s: max |ours - PyTorch| = %.3g%n", name, what, worst);
        assertTrue(worst <= TOLERANCE, name + " " + what + ": max |ours - PyTorch| = " + worst + " at flat index " + at
                + " (ours " + (at < 0 ? "" : actual[at]) + ", PyTorch " + (at < 0 ? "" : expected[at]) + "), tolerance "
                + TOLERANCE);
    }
}
