package org.transformer4j.conformance;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.ConformanceCase.Need;
import org.transformer4j.conformance.EngineCase.Builder;
import org.transformer4j.conformance.EngineCase.Outputs;
import org.transformer4j.data.Batch;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.Hypothesis;
import org.transformer4j.generate.Seq2SeqGenerator;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.KvCache;
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

    static Outputs gptLogits(Engine e, GptModel model, Map<String, HostTensor> weights, HostTensor ids)
            throws IOException {
        if (Capable.servesExports(e)) {
            return ServedCases.gptLogits(e, model, weights, ids);
        }
        Ops ops = Capable.inference(e).inferenceOps();
        try (LoadedWeights w = Capable.inference(e).load(weights);
             Tensor logits = model.logits(ops, w, ops.constant(ids))) {
            return Outputs.of(logits);
        }
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
        float[] v;
        Shape shape;
        if (Capable.servesExports(e)) {
            Outputs served = ServedCases.gptLeftPadded(e, model, ModelFixtures.weights(model, seed), padded,
                    positions, mask);
            v = served.values();
            shape = Shape.of(2, t, model.config().vocabSize());
        } else {
            Ops ops = Capable.inference(e).inferenceOps();
            Shape s = Shape.of(2, t);
            try (LoadedWeights w = Capable.inference(e).load(ModelFixtures.weights(model, seed));
                 Tensor logits = model.logits(ops, w, ops.constant(HostTensor.ofInts(s, padded)),
                         ops.constant(HostTensor.ofInts(s, positions)), null, ops.constant(HostTensor.ofInts(s, mask)))) {
                v = logits.toFloatArray();
                shape = logits.shape();
            }
        }
        int vocab = model.config().vocabSize();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0) {
                Arrays.fill(v, i * vocab, (i + 1) * vocab, 0f); // a query that sees no key has no defined output
            }
        }
        return new Builder().add(shape + " logits, padded positions zeroed", v).build();
    }

    static Outputs loss(Engine e, TrainableModel model, long seed, Batch batch) {
        if (Capable.servesExports(e)) {
            throw ServedCases.noLoss(e);
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

    static Outputs seq2seqLogits(Engine e, Seq2SeqModel model, long seed, Batch batch) throws IOException {
        if (Capable.servesExports(e)) {
            return ServedCases.seq2seqLogits(e, model, ModelFixtures.weights(model, seed), batch);
        }
        Ops ops = Capable.inference(e).inferenceOps();
        try (LoadedWeights w = Capable.inference(e).load(ModelFixtures.weights(model, seed))) {
            Tensor mask = ops.constant(batch.get("src_mask"));
            Tensor memory = model.encode(ops, w, ops.constant(batch.get("src_ids")), mask);
            try (Tensor logits = model.decode(ops, w, ops.constant(batch.get("tgt_in")), memory, mask, null)) {
                return Outputs.of(logits);
            }
        }
    }

    /** Logits of {@code ids} computed as a prompt of {@code prompt} tokens then one token at a time with a cache. */
    static Outputs gptCached(Engine e, GptModel model, long seed, HostTensor ids, int prompt) throws IOException {
        if (Capable.servesExports(e)) {
            return ServedCases.gptCached(e, model, ModelFixtures.weights(model, seed), ids, prompt);
        }
        Ops ops = Capable.inference(e).inferenceOps();
        int t = ids.shape().dim(1);
        int b = ids.shape().dim(0);
        int vocab = model.config().vocabSize();
        float[] all = new float[b * t * vocab];
        try (LoadedWeights w = Capable.inference(e).load(ModelFixtures.weights(model, seed)); KvCache cache = model.newCache()) {
            int from = 0;
            while (from < t) {
                int to = from == 0 ? prompt : from + 1;
                try (Tensor logits = model.logits(ops, w, ops.constant(columns(ids, from, to)), cache, null)) {
                    place(logits.toFloatArray(), all, b, t, vocab, from, to);
                }
                from = to;
            }
        }
        return new Builder().add(Shape.of(b, t, vocab) + " FLOAT32", all).build();
    }

    static Outputs seq2seqCached(Engine e, Seq2SeqModel model, long seed, Batch batch, int prefix)
            throws IOException {
        if (Capable.servesExports(e)) {
            return ServedCases.seq2seqCached(e, model, ModelFixtures.weights(model, seed), batch, prefix);
        }
        Ops ops = Capable.inference(e).inferenceOps();
        HostTensor tgt = batch.get("tgt_in");
        int t = tgt.shape().dim(1);
        int b = tgt.shape().dim(0);
        int vocab = model.config().vocabSize();
        float[] all = new float[b * t * vocab];
        try (LoadedWeights w = Capable.inference(e).load(ModelFixtures.weights(model, seed)); KvCache cache = model.newCache()) {
            Tensor mask = ops.constant(batch.get("src_mask"));
            Tensor memory = model.encode(ops, w, ops.constant(batch.get("src_ids")), mask);
            int from = 0;
            while (from < t) {
                int to = from == 0 ? prefix : from + 1;
                try (Tensor logits = model.decode(ops, w, ops.constant(columns(tgt, from, to)), memory, mask, cache)) {
                    place(logits.toFloatArray(), all, b, t, vocab, from, to);
                }
                from = to;
            }
        }
        return new Builder().add(Shape.of(b, t, vocab) + " FLOAT32", all).build();
    }

    static Outputs gptGreedy(Engine e, GptModel model, long seed) throws IOException {
        List<int[]> prompts = GREEDY_PROMPTS;
        GenerationOptions options = GenerationOptions.greedy(7);
        List<int[]> out;
        if (Capable.servesExports(e)) {
            out = ServedCases.gptGreedy(e, model, ModelFixtures.weights(model, seed), prompts, options);
        } else {
            try (LoadedWeights w = Capable.inference(e).load(ModelFixtures.weights(model, seed))) {
                out = new GptGenerator(model, Capable.inference(e).inferenceOps(), w).generate(prompts, options);
            }
        }
        Builder b = new Builder();
        for (int i = 0; i < out.size(); i++) {
            b.add("prompt " + i + ": " + out.get(i).length + " tokens", out.get(i));
        }
        return b.build();
    }

    static Outputs gptBeam(Engine e, GptModel model, long seed) throws IOException {
        int[] prompt = {7, 19, 4, 11};
        BeamSearchOptions options = new BeamSearchOptions(3, 1.0, 6, 3, Set.of(EOS));
        if (Capable.servesExports(e)) {
            return hypotheses(ServedCases.gptBeam(e, model, ModelFixtures.weights(model, seed), prompt, options));
        }
        try (LoadedWeights w = Capable.inference(e).load(ModelFixtures.weights(model, seed))) {
            return hypotheses(new GptGenerator(model, Capable.inference(e).inferenceOps(), w).beamSearch(prompt, options));
        }
    }

    static Outputs seq2seqGreedy(Engine e, Seq2SeqModel model, long seed) throws IOException {
        List<int[]> sources = GREEDY_SOURCES;
        GenerationOptions options = GenerationOptions.greedy(8);
        int[][] out = new int[sources.size()][];
        if (Capable.servesExports(e)) {
            out = ServedCases.seq2seqGreedy(e, model, ModelFixtures.weights(model, seed), sources, BOS, EOS, options);
        } else {
            try (LoadedWeights w = Capable.inference(e).load(ModelFixtures.weights(model, seed))) {
                Seq2SeqGenerator g = new Seq2SeqGenerator(model, Capable.inference(e).inferenceOps(), w, BOS, EOS);
                for (int i = 0; i < sources.size(); i++) {
                    out[i] = g.generate(sources.get(i), options);
                }
            }
        }
        Builder b = new Builder();
        for (int i = 0; i < out.length; i++) {
            b.add("source " + i + ": " + out[i].length + " tokens", out[i]);
        }
        return b.build();
    }

    static Outputs seq2seqBeam(Engine e, Seq2SeqModel model, long seed) throws IOException {
        BeamSearchOptions options = new BeamSearchOptions(3, 1.0, 8, 2, Set.of());
        if (Capable.servesExports(e)) {
            return hypotheses(ServedCases.seq2seqBeam(e, model, ModelFixtures.weights(model, seed),
                    GREEDY_SOURCES.get(0), BOS, EOS, options));
        }
        try (LoadedWeights w = Capable.inference(e).load(ModelFixtures.weights(model, seed))) {
            return hypotheses(new Seq2SeqGenerator(model, Capable.inference(e).inferenceOps(), w, BOS, EOS).beamSearch(GREEDY_SOURCES.get(0), options));
        }
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
