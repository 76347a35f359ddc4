package org.transformer4j.conformance;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.ConformanceCase.Need;
import org.transformer4j.conformance.EngineCase.Builder;
import org.transformer4j.conformance.EngineCase.Outputs;
import org.transformer4j.data.Batch;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.Hypothesis;
import org.transformer4j.generate.Seq2SeqCache;
import org.transformer4j.generate.Seq2SeqGenerator;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Whole-model inference cases: logits and loss of both architectures in both layouts, the key/value cache against a
 * full recompute, and greedy and beam-search outputs token for token. Every case runs the one composition in
 * {@code transformer-api} on each engine's ops, so a difference is the backend's.
 */
final class ModelCases {
    /**
     * Whole-model outputs: 2 blocks (or 2+2) of float32 layers, each rounding in its own summation order; the
     * differences compound through layer norms and residuals, so the slack is 10x the single-layer one.
     */
    static final Tolerance MODEL = new Tolerance(1e-4, 1e-3,
            "float32 through embeddings, 2 blocks and the head; each layer's rounding (own summation order) compounds");
    /** Token choices must be identical. */
    static final Tolerance TOKENS = new Tolerance(0, 0, "token ids must be identical: the fixture's logits are spread"
            + " so that every choice wins by a wide margin, far above float32 rounding");
    static final int BOS = 1;
    static final int EOS = 2;
    /**
     * Prompts and sources chosen so that, along the reference's greedy path, the best logit beats the second by
     * more than 0.04 at every step (checked by the kit's tests): exact token comparison is then fair to any backend
     * within the model tolerance. The second source ends at EOS before the limit.
     */
    static final List<int[]> GREEDY_PROMPTS = List.of(new int[] {18, 25, 20}, new int[] {9, 23, 19, 7, 13});
    static final List<int[]> GREEDY_SOURCES = List.of(new int[] {23, 19, 13, 16, 10, 9, 19}, new int[] {16, 26, 13, 3, 8});

    private ModelCases() {
    }

    static List<ConformanceCase> all() {
        List<ConformanceCase> cases = new ArrayList<>();
        Batch gb = ModelFixtures.gptBatch();
        Batch sb = ModelFixtures.seq2seqBatch();
        cases.add(EngineCase.of("gpt_logits", "GPT (pre-LN, learned positions, GELU, biases, untied) logits [2, 9, "
                + ModelFixtures.VOCAB + "] of seeded ids", MODEL, Need.INFERENCE,
                e -> gptLogits(e, ModelFixtures.gptPreLn(), 11, gb.get("input_ids"))));
        cases.add(EngineCase.of("gpt_logits_post_ln", "GPT (post-LN, sinusoidal positions, ReLU, no biases, tied) "
                + "logits [2, 9, " + ModelFixtures.VOCAB + "]", MODEL, Need.INFERENCE,
                e -> gptLogits(e, ModelFixtures.gptPostLn(), 12, gb.get("input_ids"))));
        cases.add(EngineCase.of("gpt_logits_left_padded", "GPT logits of a left-padded batch (row 0 has 3 pads) with a"
                + " key mask and per-row position ids; compared at the real tokens", MODEL, Need.INFERENCE,
                e -> gptLeftPadded(e, ModelFixtures.gptPreLn(), 11, gb.get("input_ids"))));
        cases.add(EngineCase.of("gpt_logits_sizes", "GPT (post-LN, sinusoidal) logits at batch x length 1 x 1, "
                + "3 x 5 and 1 x " + ModelFixtures.CONTEXT + " (the whole context)", MODEL, Need.INFERENCE,
                e -> gptSizes(e, ModelFixtures.gptPostLn(), 12)));
        cases.add(EngineCase.of("gpt_loss", "GPT mean cross-entropy of a [2, 9] batch with 3 ignored targets",
                MODEL, Need.INFERENCE, e -> loss(e, ModelFixtures.gptPreLn(), 11, gb)));
        cases.add(EngineCase.of("seq2seq_logits", "encoder-decoder (post-LN, sinusoidal, ReLU, biases, tied) decoder "
                + "logits [2, 6, " + ModelFixtures.VOCAB + "] for sources [2, 7] (row 1 padded after 5)", MODEL,
                Need.INFERENCE, e -> seq2seqLogits(e, ModelFixtures.seq2seqPostLn(), 21, sb)));
        cases.add(EngineCase.of("seq2seq_logits_pre_ln", "encoder-decoder (pre-LN, learned positions, GELU, no "
                + "biases, untied) decoder logits [2, 6, " + ModelFixtures.VOCAB + "]", MODEL, Need.INFERENCE,
                e -> seq2seqLogits(e, ModelFixtures.seq2seqPreLn(), 22, sb)));
        cases.add(EngineCase.of("seq2seq_logits_sizes", "encoder-decoder (pre-LN, learned positions) decoder logits "
                + "at batch x source x target 1 x 1 x 1, 3 x " + ModelFixtures.CONTEXT + " x 4 and 1 x 4 x "
                + ModelFixtures.CONTEXT, MODEL, Need.INFERENCE, e -> seq2seqSizes(e, ModelFixtures.seq2seqPreLn(), 22)));
        cases.add(EngineCase.of("seq2seq_loss", "encoder-decoder mean cross-entropy with padded sources and 2 ignored "
                + "targets", MODEL, Need.INFERENCE, e -> loss(e, ModelFixtures.seq2seqPostLn(), 21, sb)));
        cases.add(EngineCase.of("gpt_kv_cache", "GPT logits for 9 tokens fed as a prompt of 4 then 5 single steps "
                + "through the candidate's key/value cache, against the reference's full recompute", MODEL,
                Need.INFERENCE, e -> gptLogits(e, ModelFixtures.gptPreLn(), 11, gb.get("input_ids")),
                e -> gptCached(e, ModelFixtures.gptPreLn(), 11, gb.get("input_ids"), 4)));
        cases.add(EngineCase.of("gpt_kv_cache_post_ln", "as gpt_kv_cache with the post-LN sinusoidal GPT (the "
                + "sinusoids must continue at the cached length)", MODEL, Need.INFERENCE,
                e -> gptLogits(e, ModelFixtures.gptPostLn(), 12, gb.get("input_ids")),
                e -> gptCached(e, ModelFixtures.gptPostLn(), 12, gb.get("input_ids"), 4)));
        cases.add(EngineCase.of("seq2seq_kv_cache", "decoder logits for 6 target tokens fed as 2 then 4 single steps "
                + "through the candidate's self- and cross-attention caches, against the reference's full recompute",
                MODEL, Need.INFERENCE, e -> seq2seqLogits(e, ModelFixtures.seq2seqPostLn(), 21, sb),
                e -> seq2seqCached(e, ModelFixtures.seq2seqPostLn(), 21, sb, 2)));
        cases.add(EngineCase.of("gpt_greedy", "greedy GPT continuation of two prompts (3 and 5 tokens) as one "
                + "left-padded batch, 7 new tokens each, token for token", TOKENS, Need.INFERENCE,
                e -> gptGreedy(e, ModelFixtures.gptPreLn(), 11)));
        cases.add(EngineCase.of("gpt_beam", "GPT beam search (width 3, 3 best, length penalty 1, up to 6 new tokens, "
                + "EOS " + EOS + ") from a 4-token prompt: hypotheses token for token", TOKENS, Need.INFERENCE,
                e -> gptBeam(e, ModelFixtures.gptPreLn(), 11)));
        cases.add(EngineCase.of("seq2seq_greedy", "greedy encoder-decoder (pre-LN) outputs for two sources (7 and 5 "
                + "tokens), BOS " + BOS + ", EOS " + EOS + ", up to 8 tokens, token for token", TOKENS, Need.INFERENCE,
                e -> seq2seqGreedy(e, ModelFixtures.seq2seqPreLn(), 22)));
        cases.add(EngineCase.of("seq2seq_beam", "encoder-decoder (pre-LN) beam search (width 3, 2 best, length "
                + "penalty 1, up to 8 tokens) for a 7-token source: hypotheses token for token", TOKENS,
                Need.INFERENCE, e -> seq2seqBeam(e, ModelFixtures.seq2seqPreLn(), 22)));
        return cases;
    }

    static Outputs gptLogits(Engine e, GptModel model, long seed, HostTensor ids) throws IOException {
        return gptLogits(e, model, ModelFixtures.weights(model, seed), ids);
    }

    /** Logits {@code [B, T, V]} of a whole batch, positions from 0, through the engine's GPT runtime. */
    static Outputs gptLogits(Engine e, GptModel model, Map<String, HostTensor> weights, HostTensor ids)
            throws IOException {
        return RuntimeCases.withGpt(e, model, weights, r -> Outputs.of(RuntimeCases.logits(r, rows(ids), null, null)));
    }

    /** GPT logits at several batch and sequence sizes, one after the other. */
    static Outputs gptSizes(Engine e, GptModel model, long seed) throws IOException {
        Map<String, HostTensor> weights = ModelFixtures.weights(model, seed);
        Builder all = new Builder();
        int[][] sizes = {{1, 1}, {3, 5}, {1, ModelFixtures.CONTEXT}};
        for (int[] bt : sizes) {
            Outputs o = gptLogits(e, model, weights, ModelFixtures.ids(300 + bt[1], bt[0], bt[1]));
            all.add(String.join(", ", o.layout()), o.values());
        }
        return all.build();
    }

    /** Encoder-decoder logits at several batch, source and target sizes (no padding), one after the other. */
    static Outputs seq2seqSizes(Engine e, Seq2SeqModel model, long seed) throws IOException {
        Builder all = new Builder();
        int[][] sizes = {{1, 1, 1}, {3, ModelFixtures.CONTEXT, 4}, {1, 4, ModelFixtures.CONTEXT}};
        for (int[] bst : sizes) {
            int[] ones = new int[bst[0] * bst[1]];
            Arrays.fill(ones, 1);
            Map<String, HostTensor> m = new LinkedHashMap<>();
            m.put("src_ids", ModelFixtures.ids(400 + bst[1], bst[0], bst[1]));
            m.put("src_mask", HostTensor.ofInts(Shape.of(bst[0], bst[1]), ones));
            m.put("tgt_in", ModelFixtures.ids(500 + bst[2], bst[0], bst[2]));
            Outputs o = seq2seqLogits(e, model, seed, new Batch(m));
            all.add(String.join(", ", o.layout()), o.values());
        }
        return all.build();
    }

    /** Row 0 is shifted right by 3 pads (masked, position 0); row 1 is unchanged. Padded positions read as 0. */
    static Outputs gptLeftPadded(Engine e, GptModel model, long seed, HostTensor ids) throws IOException {
        int t = ids.shape().dim(1);
        int pads = 3;
        int[] padded = ids.ints().clone();
        int[] mask = new int[2 * t];
        int[] positions = new int[2 * t];
        for (int j = 0; j < t; j++) {
            padded[j] = j < pads ? 0 : ids.ints()[j - pads];
            mask[j] = j < pads ? 0 : 1;
            positions[j] = Math.max(0, j - pads);
            mask[t + j] = 1;
            positions[t + j] = j;
        }
        Shape s = Shape.of(2, t);
        HostTensor logits = RuntimeCases.withGpt(e, model, ModelFixtures.weights(model, seed),
                r -> RuntimeCases.logits(r, rows(HostTensor.ofInts(s, padded)), rows(HostTensor.ofInts(s, positions)),
                        rows(HostTensor.ofInts(s, mask))));
        float[] v = logits.floats().clone();
        int vocab = model.config().vocabSize();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0) {
                Arrays.fill(v, i * vocab, (i + 1) * vocab, 0f); // a query that sees no key has no defined output
            }
        }
        return new Builder().add(logits.shape() + " logits, padded positions zeroed", v).build();
    }

    static Outputs loss(Engine e, TrainableModel model, long seed, Batch batch) {
        if (Capable.servesExports(e)) {
            throw new UnsupportedOperationException("a served model (" + e.backendName() + ") outputs logits, not"
                    + " the training loss; its logits are checked by the *_logits cases");
        }
        Ops ops = Capable.inference(e).inferenceOps();
        try (LoadedWeights w = Capable.inference(e).load(ModelFixtures.weights(model, seed))) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            batch.tensors().forEach((k, v) -> in.put(k, ops.constant(v)));
            try (Tensor loss = model.loss(ops, w, in)) {
                return Outputs.of(loss);
            }
        }
    }

    /** Decoder logits {@code [B, T, V]} of a whole target batch, through the engine's encoder-decoder runtime. */
    static Outputs seq2seqLogits(Engine e, Seq2SeqModel model, long seed, Batch batch) throws IOException {
        int[][] tgt = rows(batch.get("tgt_in"));
        return RuntimeCases.withSeq2Seq(e, model, ModelFixtures.weights(model, seed), r -> {
            try (Seq2SeqCache cache = r.encode(rows(batch.get("src_ids")), rows(batch.get("src_mask")))) {
                return Outputs.of(HostTensor.ofFloats(Shape.of(tgt.length, tgt[0].length, r.vocabSize()),
                        r.decode(cache, tgt, false)));
            }
        });
    }

    /** Logits of {@code ids} computed as a prompt of {@code prompt} tokens then one token at a time with a cache. */
    static Outputs gptCached(Engine e, GptModel model, long seed, HostTensor ids, int prompt) throws IOException {
        return RuntimeCases.withGpt(e, model, ModelFixtures.weights(model, seed), r -> {
            try (GptCache cache = r.newCache(ids.shape().dim(0))) {
                return cached(part -> r.forward(cache, part, null, null, false), ids, prompt, r.vocabSize());
            }
        });
    }

    /** Decoder logits of the targets computed as a prefix of {@code prefix} tokens then one token at a time. */
    static Outputs seq2seqCached(Engine e, Seq2SeqModel model, long seed, Batch batch, int prefix)
            throws IOException {
        return RuntimeCases.withSeq2Seq(e, model, ModelFixtures.weights(model, seed), r -> {
            try (Seq2SeqCache cache = r.encode(rows(batch.get("src_ids")), rows(batch.get("src_mask")))) {
                return cached(part -> r.decode(cache, part, false), batch.get("tgt_in"), prefix, r.vocabSize());
            }
        });
    }

    /** Feeds {@code ids} as {@code prefix} tokens, then one at a time; the logits of every position. */
    private static Outputs cached(Function<int[][], float[]> next, HostTensor ids, int prefix, int vocab) {
        int b = ids.shape().dim(0);
        int t = ids.shape().dim(1);
        float[] all = new float[b * t * vocab];
        int from = 0;
        while (from < t) {
            int to = from == 0 ? prefix : from + 1;
            place(next.apply(rows(columns(ids, from, to))), all, b, t, vocab, from, to);
            from = to;
        }
        return new Builder().add(Shape.of(b, t, vocab) + " FLOAT32", all).build();
    }

    static Outputs gptGreedy(Engine e, GptModel model, long seed) throws IOException {
        List<int[]> out = RuntimeCases.withGpt(e, model, ModelFixtures.weights(model, seed),
                r -> new GptGenerator(r).generate(GREEDY_PROMPTS, GenerationOptions.greedy(7)));
        Builder b = new Builder();
        for (int i = 0; i < out.size(); i++) {
            b.add("prompt " + i + ": " + out.get(i).length + " tokens", out.get(i));
        }
        return b.build();
    }

    static Outputs gptBeam(Engine e, GptModel model, long seed) throws IOException {
        int[] prompt = {7, 19, 4, 11};
        BeamSearchOptions options = new BeamSearchOptions(3, 1.0, 6, 3, Set.of(EOS));
        return hypotheses(RuntimeCases.withGpt(e, model, ModelFixtures.weights(model, seed),
                r -> new GptGenerator(r).beamSearch(prompt, options)));
    }

    static Outputs seq2seqGreedy(Engine e, Seq2SeqModel model, long seed) throws IOException {
        GenerationOptions options = GenerationOptions.greedy(8);
        List<int[]> out = RuntimeCases.withSeq2Seq(e, model, ModelFixtures.weights(model, seed), r -> {
            Seq2SeqGenerator g = new Seq2SeqGenerator(r, BOS, EOS);
            return GREEDY_SOURCES.stream().map(src -> g.generate(src, options)).toList();
        });
        Builder b = new Builder();
        for (int i = 0; i < out.size(); i++) {
            b.add("source " + i + ": " + out.get(i).length + " tokens", out.get(i));
        }
        return b.build();
    }

    static Outputs seq2seqBeam(Engine e, Seq2SeqModel model, long seed) throws IOException {
        BeamSearchOptions options = new BeamSearchOptions(3, 1.0, 8, 2, Set.of());
        return hypotheses(RuntimeCases.withSeq2Seq(e, model, ModelFixtures.weights(model, seed),
                r -> new Seq2SeqGenerator(r, BOS, EOS).beamSearch(GREEDY_SOURCES.get(0), options)));
    }

    /** The rows of an int32 {@code [B, T]} tensor. */
    static int[][] rows(HostTensor t) {
        int b = t.shape().dim(0);
        int w = t.shape().dim(1);
        int[][] out = new int[b][w];
        for (int r = 0; r < b; r++) {
            System.arraycopy(t.ints(), r * w, out[r], 0, w);
        }
        return out;
    }

    private static Outputs hypotheses(List<Hypothesis> hyps) {
        Builder b = new Builder();
        for (int i = 0; i < hyps.size(); i++) {
            Hypothesis h = hyps.get(i);
            b.add("hypothesis " + i + ": " + h.tokens().length + " tokens, " + (h.finished() ? "finished" : "cut"),
                    h.tokens());
        }
        return b.build();
    }

    /** Columns {@code [from, to)} of an int32 {@code [B, T]} tensor. */
    static HostTensor columns(HostTensor ids, int from, int to) {
        int b = ids.shape().dim(0);
        int t = ids.shape().dim(1);
        int[] out = new int[b * (to - from)];
        for (int r = 0; r < b; r++) {
            System.arraycopy(ids.ints(), r * t + from, out, r * (to - from), to - from);
        }
        return HostTensor.ofInts(Shape.of(b, to - from), out);
    }

    /** Copies logits {@code [B, to-from, V]} into positions {@code [from, to)} of {@code all [B, T, V]}. */
    static void place(float[] part, float[] all, int b, int t, int vocab, int from, int to) {
        int n = to - from;
        if (part.length != b * n * vocab) {
            throw new IllegalStateException("the model returned " + part.length + " logits for " + b + " rows of " + n
                    + " tokens over a vocabulary of " + vocab);
        }
        for (int r = 0; r < b; r++) {
            System.arraycopy(part, r * n * vocab, all, (r * t + from) * vocab, n * vocab);
        }
    }
}
