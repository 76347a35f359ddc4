package org.transformer4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GeneratedText;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.generate.Hypothesis;
import org.transformer4j.generate.OpsGptRuntime;
import org.transformer4j.inference.LanguageModel;
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
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizers;

/**
 * The PyTorch fixtures of {@code scripts/reference/llama_reference_torch.py} (HF's Llama and Qwen2 formulas, random
 * BF16 weights in HF layout) held against an engine: its logits with and without the key/value cache, of a
 * left-padded batch with position ids, and its greedy tokens with and without the cache. Used by each backend's
 * tests. Tolerance 1e-4 absolute on logits of standard deviation about 2: float32 against PyTorch's float64. The
 * generation stack is held to the same fixtures through {@link OpsGptRuntime} and {@link GptGenerator}: the cached
 * step-by-step path with explicit positions, left padding and row surgery, greedy decoding alone and batched, and
 * beam search. {@link #modelDirectory()} is the fixture as a model directory (with a character tokenizer of 100
 * code points, so that every id is a character) for the front door.
 */
public final class LlamaReferenceFixture {
    /** The fixtures under {@code src/test/resources/org/transformer4j/llama}. */
    public static final String[] MODELS = {"tiny-llama", "tiny-qwen2"};
    private static final double TOLERANCE = 1e-4;

    /** The first code point of {@link #tokenizer()}: ids 0..99 are U+0100..U+0163 (Latin Extended-A letters). */
    private static final int FIRST_CODE_POINT = 0x100;

    private final String name;
    private final Path dir;
    private final LlamaModel model;
    private final Map<String, HostTensor> weights;
    private final Map<String, HostTensor> reference;

    private LlamaReferenceFixture(String name, Path dir, LlamaModel model, Map<String, HostTensor> weights,
                                  Map<String, HostTensor> reference) {
        this.name = name;
        this.dir = dir;
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
        return new LlamaReferenceFixture(name, dir, new LlamaModel(config), weights,
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

    /** The fixture's name. */
    public String name() {
        return name;
    }

    /**
     * A character tokenizer whose ids are the model's whole vocabulary: id {@code i} is the code point
     * {@code U+0100 + i}.
     */
    public CharTokenizer tokenizer() {
        return tokenizer(model.config().vocabSize());
    }

    /**
     * A character tokenizer of {@code vocab} ids: id {@code i} is the code point {@code U+0100 + i}, so it covers a
     * whole vocabulary (a smaller tokenizer would limit {@code LanguageModel} to its ids).
     */
    public static CharTokenizer tokenizer(int vocab) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < vocab; i++) {
            b.appendCodePoint(FIRST_CODE_POINT + i);
        }
        return CharTokenizer.fromText(b.toString());
    }

    /**
     * The fixture as a model directory as Hugging Face would lay it out (config.json, BF16 model.safetensors) plus a
     * {@link #tokenizer()} tokenizer.json; no generation_config.json (the caller may add one).
     */
    public Path modelDirectory() throws IOException {
        Path json = dir.resolve("tokenizer.json");
        if (!Files.exists(json)) {
            Tokenizers.save(tokenizer(), json);
        }
        return dir;
    }

    /** The reference's greedy prompts: row 0 and 1 of {@code greedy_prompt} and {@code greedy_short_prompt}. */
    public List<int[]> greedyPrompts() {
        return List.of(row(ref("greedy_prompt"), 0), row(ref("greedy_prompt"), 1), row(ref("greedy_short_prompt"), 0));
    }

    /** PyTorch's greedy continuations of {@link #greedyPrompts()}, in that order. */
    public List<int[]> greedyTokens() {
        return List.of(row(ref("greedy_tokens"), 0), row(ref("greedy_tokens"), 1), row(ref("greedy_short_tokens"), 0));
    }

    private static int[] row(HostTensor t, int r) {
        int w = t.shape().dim(1);
        return java.util.Arrays.copyOfRange(t.toIntArray(), r * w, (r + 1) * w);
    }

    /**
     * Through the runtime ({@link OpsGptRuntime}): the batch as a prompt of 3 then one token at a time with explicit
     * positions equals PyTorch's logits and the full forward without cache; the left-padded batch in one call and
     * step by step (each row at its own rotary position, the mask growing) equals PyTorch's at the real tokens.
     */
    public void runtimeMatches(InferenceEngine engine) {
        Ops ops = engine.inferenceOps();
        HostTensor ids = ints(ref("input_ids"));
        int b = ids.shape().dim(0);
        int t = ids.shape().dim(1);
        int v = model.config().vocabSize();
        try (LoadedWeights w = engine.load(weights)) {
            GptRuntime runtime = new OpsGptRuntime(model, ops, w);
            float[] full;
            try (Tensor logits = model.logits(ops, w, ops.constant(ids))) {
                full = logits.toFloatArray();
            }
            int[][] rows = matrix(ids);
            float[] stepped = stepwise(runtime, rows, null, null);
            assertClose("runtime logits, prompt of 3 then one token at a time", stepped, ref("logits").floats(), null);
            assertClose("runtime logits against the full forward", stepped, full, null);

            int[][] padded = matrix(ints(ref("padded_input_ids")));
            int[][] mask = matrix(ints(ref("padded_mask")));
            int[][] positions = matrix(ints(ref("padded_position_ids")));
            int[] maskFlat = ints(ref("padded_mask")).ints();
            try (GptCache cache = runtime.newCache(b)) {
                float[] once = runtime.forward(cache, padded, positions, mask, false);
                assertEquals(t, cache.length(), name + ": cache length after a prompt");
                assertClose("runtime left-padded logits in one call", once, ref("padded_logits").floats(), maskFlat);
            }
            float[] paddedSteps = stepwise(runtime, padded, positions, mask);
            assertClose("runtime left-padded logits step by step", paddedSteps, ref("padded_logits").floats(),
                    maskFlat);
            assertEquals(b * t * v, paddedSteps.length);
        }
    }

    /** Feeds {@code ids} as a prompt of 3 columns, then one column per call; the logits of every position. */
    private float[] stepwise(GptRuntime runtime, int[][] ids, int[][] positions, int[][] mask) {
        int b = ids.length;
        int t = ids[0].length;
        int v = model.config().vocabSize();
        float[] all = new float[b * t * v];
        try (GptCache cache = runtime.newCache(b)) {
            int from = 0;
            while (from < t) {
                int to = from == 0 ? 3 : from + 1;
                int[][] part = columns(ids, from, to);
                int[][] pos = positions == null ? ranges(b, from, to) : columns(positions, from, to);
                float[] logits = runtime.forward(cache, part, pos, mask == null ? null : columns(mask, 0, to), false);
                for (int r = 0; r < b; r++) {
                    System.arraycopy(logits, r * (to - from) * v, all, (r * t + from) * v, (to - from) * v);
                }
                from = to;
            }
            assertEquals(t, cache.length(), name + ": cache length");
        }
        return all;
    }

    /**
     * The cache's row surgery against PyTorch: rows reordered and repeated ({@code selectRows}), a shorter cache
     * joined below a longer one (left-padded, masked), and shared padding dropped ({@code dropFirst}); each next step's
     * logits equal PyTorch's at that token.
     */
    public void cacheRowsMatch(InferenceEngine engine) {
        Ops ops = engine.inferenceOps();
        int[][] ids = matrix(ints(ref("input_ids")));
        int v = model.config().vocabSize();
        float[] want = ref("logits").floats();
        int t = ids[0].length;
        try (LoadedWeights w = engine.load(weights)) {
            GptRuntime runtime = new OpsGptRuntime(model, ops, w);
            try (GptCache cache = runtime.newCache(2)) {
                runtime.forward(cache, columns(ids, 0, 5), ranges(2, 0, 5), null, true);
                cache.selectRows(new int[] {1, 1, 0});
                assertEquals(3, cache.rows());
                float[] next = runtime.forward(cache, new int[][] {{ids[1][5]}, {ids[1][5]}, {ids[0][5]}},
                        new int[][] {{5}, {5}, {5}}, null, true);
                assertClose("after selectRows(1, 1, 0)", next, concat(logitsAt(want, t, v, 1, 5),
                        logitsAt(want, t, v, 1, 5), logitsAt(want, t, v, 0, 5)), null);
            }
            GptCache a = runtime.newCache(1);
            try (a) {
                runtime.forward(a, new int[][] {java.util.Arrays.copyOf(ids[0], 5)}, ranges(1, 0, 5), null, true);
                GptCache b = runtime.newCache(1);
                runtime.forward(b, new int[][] {java.util.Arrays.copyOf(ids[1], 3)}, ranges(1, 0, 3), null, true);
                a.append(b);
                assertEquals(2, a.rows());
                assertEquals(5, a.length());
                int[][] mask = {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}};
                float[] next = runtime.forward(a, new int[][] {{ids[0][5]}, {ids[1][3]}}, new int[][] {{5}, {3}},
                        mask, true);
                assertClose("after append of a shorter cache", next,
                        concat(logitsAt(want, t, v, 0, 5), logitsAt(want, t, v, 1, 3)), null);
                a.selectRows(new int[] {1});
                a.dropFirst(2);
                assertEquals(4, a.length());
                next = runtime.forward(a, new int[][] {{ids[1][4]}}, new int[][] {{4}}, null, true);
                assertClose("after selectRows(1) and dropFirst(2)", next, logitsAt(want, t, v, 1, 4), null);
            }
        }
    }

    /**
     * Generation on the runtime against PyTorch's greedy tokens: each prompt alone ({@link GptGenerator}'s decoding
     * session), all prompts as one left-padded batch of different lengths (equal to each alone), beam search of width
     * 1 (equal to greedy), and beam search of width 3 whose hypotheses' log-probabilities, recomputed by the full
     * forward, are what it reports, best first.
     */
    public void generationMatches(InferenceEngine engine) {
        Ops ops = engine.inferenceOps();
        List<int[]> prompts = greedyPrompts();
        List<int[]> want = greedyTokens();
        int n = want.get(0).length;
        try (LoadedWeights w = engine.load(weights)) {
            GptGenerator generator = new GptGenerator(new OpsGptRuntime(model, ops, w));
            GenerationOptions greedy = GenerationOptions.greedy(n);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(want.get(i), generator.generate(prompts.get(i), greedy, tok -> true),
                        name + ": greedy tokens of prompt " + i + " alone");
            }
            List<int[]> batched = generator.generate(prompts, greedy);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(want.get(i), batched.get(i), name + ": greedy tokens of prompt " + i + " in a batch"
                        + " of prompts of lengths 4, 4 and 2");
            }
            List<int[]> reversed = generator.generate(List.of(prompts.get(2), prompts.get(0)), greedy);
            assertArrayEquals(want.get(2), reversed.get(0), name + ": the short prompt first");
            assertArrayEquals(want.get(0), reversed.get(1), name + ": the long prompt second");

            Hypothesis one = generator.beamSearch(prompts.get(0), new BeamSearchOptions(1, 1.0, n, 1, Set.of())).get(0);
            assertArrayEquals(want.get(0), one.tokens(), name + ": beam search of width 1 is greedy");
            List<Hypothesis> beams = generator.beamSearch(prompts.get(0), new BeamSearchOptions(3, 0.0, n, 3, Set.of()));
            assertEquals(3, beams.size(), name + ": n-best");
            for (int i = 0; i < beams.size(); i++) {
                Hypothesis h = beams.get(i);
                assertEquals(n, h.tokens().length, name + ": beam " + i + " runs to the token limit");
                double logProb = logProb(ops, w, prompts.get(0), h.tokens());
                assertEquals(logProb, h.logProb(), 1e-3, name + ": beam " + i + "'s log-probability by full forward");
                if (i > 0) {
                    assertTrue(beams.get(i - 1).score() >= h.score(), name + ": beams best first");
                }
            }
            assertTrue(beams.get(0).logProb() >= one.logProb() - 1e-6,
                    name + ": the best of 3 beams is at least as likely as the greedy continuation");
        }
    }

    /** Log-probability of {@code tokens} after {@code prompt}, from the full forward (double-precision softmax). */
    private double logProb(Ops ops, LoadedWeights w, int[] prompt, int[] tokens) {
        int[] seq = new int[prompt.length + tokens.length];
        System.arraycopy(prompt, 0, seq, 0, prompt.length);
        System.arraycopy(tokens, 0, seq, prompt.length, tokens.length);
        int v = model.config().vocabSize();
        float[] logits;
        try (Tensor l = model.logits(ops, w, ops.constant(HostTensor.ofInts(Shape.of(1, seq.length), seq)))) {
            logits = l.toFloatArray();
        }
        double sum = 0;
        for (int i = 0; i < tokens.length; i++) {
            int off = (prompt.length - 1 + i) * v;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                max = Math.max(max, logits[off + j]);
            }
            double z = 0;
            for (int j = 0; j < v; j++) {
                z += Math.exp(logits[off + j] - max);
            }
            sum += logits[off + tokens[i]] - max - Math.log(z);
        }
        return sum;
    }

    private static float[] logitsAt(float[] all, int t, int v, int row, int position) {
        return java.util.Arrays.copyOfRange(all, (row * t + position) * v, (row * t + position + 1) * v);
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static int[][] matrix(HostTensor t) {
        int b = t.shape().dim(0);
        int[][] out = new int[b][];
        for (int r = 0; r < b; r++) {
            out[r] = row(t, r);
        }
        return out;
    }

    private static int[][] columns(int[][] m, int from, int to) {
        int[][] out = new int[m.length][];
        for (int r = 0; r < m.length; r++) {
            out[r] = java.util.Arrays.copyOfRange(m[r], from, to);
        }
        return out;
    }

    private static int[][] ranges(int rows, int from, int to) {
        int[][] out = new int[rows][to - from];
        for (int[] r : out) {
            for (int j = 0; j < r.length; j++) {
                r[j] = from + j;
            }
        }
        return out;
    }

    /** The short program of the README on the fixture's directory: open, generate greedily, close. */
    public static String greedyText(Path dir, String backend, String prompt, int maxNewTokens) throws IOException {
        try (LanguageModel lm = LanguageModel.builder(dir).backend(backend).threads(1).open()) {
            GeneratedText t = lm.generate(prompt, GenerationOptions.greedy(maxNewTokens));
            return t.text();
        }
    }

    /**
     * The front door on the fixture's directory and {@code backend}: {@link #greedyText} gives PyTorch's greedy
     * continuation as text, alone and batched; with a generation_config.json of two eos ids, generation stops at the
     * first of them that it generates and its max_new_tokens applies.
     */
    public void frontDoorMatches(String backend) throws IOException {
        Path d = modelDirectory();
        CharTokenizer chars = tokenizer();
        List<int[]> prompts = greedyPrompts();
        List<int[]> want = greedyTokens();
        int n = want.get(0).length;
        for (int i = 0; i < prompts.size(); i++) {
            assertEquals(chars.decode(want.get(i)), greedyText(d, backend, chars.decode(prompts.get(i)), n),
                    name + " on " + backend + ": greedy text of prompt " + i);
        }
        int[] first = want.get(0);
        int k = 1;
        while (contains(first, k, first[k])) {
            k++;
        }
        int unused = 0;
        while (contains(first, first.length, unused)) {
            unused++;
        }
        Path gen = d.resolve(ModelDirectory.GENERATION_CONFIG);
        Files.writeString(gen, "{\"eos_token_id\": [" + unused + ", " + first[k] + "], \"max_new_tokens\": " + (n - 1)
                + ", \"do_sample\": false}\n");
        try (LanguageModel lm = LanguageModel.builder(d).backend(backend).threads(1).open()) {
            assertEquals(backend, lm.backend());
            assertTrue(lm.isGpt(), name + ": a Llama-family directory is a decoder-only model");
            assertEquals(Set.of(unused, first[k]), lm.generationDefaults().eosTokenIds());
            GenerationOptions options = GenerationOptions.greedy(1000).withDefaults(lm.generationDefaults());
            assertEquals(n - 1, options.maxNewTokens(), "max_new_tokens of generation_config.json");
            GeneratedText t = lm.generate(chars.decode(prompts.get(0)), options);
            assertEquals(chars.decode(java.util.Arrays.copyOf(first, k)), t.text(),
                    name + ": stops at eos id " + first[k] + " (the second of two eos ids)");
            List<GeneratedText> batch = lm.generate(List.of(chars.decode(prompts.get(2)), chars.decode(prompts.get(0))),
                    GenerationOptions.greedy(n));
            assertEquals(chars.decode(want.get(2)), batch.get(0).text(), name + ": batched text of the short prompt");
        } finally {
            Files.delete(gen);
        }
    }

    private static boolean contains(int[] a, int length, int value) {
        for (int i = 0; i < length; i++) {
            if (a[i] == value) {
                return true;
            }
        }
        return false;
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
