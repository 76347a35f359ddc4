package org.transformer4j.conformance;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.ConformanceCase.Need;
import org.transformer4j.conformance.EngineCase.Builder;
import org.transformer4j.conformance.EngineCase.Outputs;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.generate.OpsGptRuntime;
import org.transformer4j.generate.OpsSeq2SeqRuntime;
import org.transformer4j.generate.Seq2SeqCache;
import org.transformer4j.generate.Seq2SeqRuntime;
import org.transformer4j.model.DecoderModel;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The runtime contract ({@link GptRuntime}, {@link Seq2SeqRuntime}) on each engine: the candidate's runtime runs a
 * left-padded batch, steps it, joins another cache ({@link GptCache#append}), drops a row and the padding no row
 * needs ({@link GptCache#dropFirst}), and every row's logits must equal the reference's full recompute of that row's
 * sequence alone.
 */
final class RuntimeCases {
    private static final int[][] PROMPTS = {{18, 25, 20}, {9, 23, 19, 7, 13, 4}, {11, 3}};

    private RuntimeCases() {
    }

    static List<ConformanceCase> all() {
        List<ConformanceCase> cases = new ArrayList<>();
        cases.add(EngineCase.of("gpt_runtime_rows", "GPT runtime: a left-padded batch of 2 prompts, one step, a"
                + " third prompt's cache appended (left-padded), one step of 3 rows, the longest row dropped with"
                + " the padding no row needs, one more step; each row's logits against its full recompute alone",
                ModelCases.MODEL, Need.INFERENCE, e -> gptRecomputed(e, ModelFixtures.gptPreLn(), 11),
                e -> gptRuntimeRows(e, ModelFixtures.gptPreLn(), 11)));
        cases.add(EngineCase.of("gpt_runtime_rows_post_ln", "as gpt_runtime_rows with the post-LN sinusoidal GPT"
                + " (explicit positions through the sinusoid table)", ModelCases.MODEL, Need.INFERENCE,
                e -> gptRecomputed(e, ModelFixtures.gptPostLn(), 12), e -> gptRuntimeRows(e, ModelFixtures.gptPostLn(), 12)));
        cases.add(EngineCase.of("seq2seq_runtime_rows", "encoder-decoder runtime: 2 sources encoded as one padded"
                + " batch, BOS and 2 steps, then the rows reordered and repeated; each row's logits against its full"
                + " recompute alone", ModelCases.MODEL, Need.INFERENCE,
                e -> seq2seqRecomputed(e, ModelFixtures.seq2seqPostLn(), 21),
                e -> seq2seqRuntimeRows(e, ModelFixtures.seq2seqPostLn(), 21)));
        return cases;
    }

    /** The sequences whose last-position logits the GPT runtime case produces, in order. */
    private static List<int[]> gptSequences() {
        int[] a = PROMPTS[0];
        int[] b = PROMPTS[1];
        int[] c = PROMPTS[2];
        return List.of(a, b,                                    // prefill of the batch
                cat(a, 5), cat(b, 7),                           // one step
                c,                                              // the appended cache's prefill
                cat(a, 5, 1), cat(b, 7, 2), cat(c, 3),          // a step of the joined batch
                cat(c, 3, 4), cat(a, 5, 1, 6));                 // after dropping row b and the padding
    }

    static Outputs gptRuntimeRows(Engine e, GptModel model, long seed) throws IOException {
        return withGpt(e, model, ModelFixtures.weights(model, seed), r -> {
            Builder out = new Builder();
            int v = r.vocabSize();
            try (GptCache batch = r.newCache(2)) {
                int[] a = PROMPTS[0];
                int[] b = PROMPTS[1];
                int pad = b.length - a.length;
                int[][] ids = {cat(new int[pad], a), b};
                int[][] mask = {cat(zeros(pad), ones(a.length)), ones(b.length)};
                int[][] pos = {cat(zeros(pad), range(0, a.length)), range(0, b.length)};
                add(out, r.forward(batch, ids, pos, mask, true), 2, v);
                mask = widen(mask);
                add(out, r.forward(batch, new int[][] {{5}, {7}}, new int[][] {{a.length}, {b.length}}, mask, true), 2, v);
                int[] c = PROMPTS[2];
                GptCache third = r.newCache(1);
                add(out, r.forward(third, new int[][] {c}, new int[][] {range(0, c.length)}, null, true), 1, v);
                batch.append(third);
                int width = batch.length();
                if (batch.rows() != 3 || width != b.length + 1) {
                    throw new IllegalStateException("after append the cache has " + batch.rows() + " rows of "
                            + width + " positions, expected 3 of " + (b.length + 1));
                }
                mask = new int[][] {mask[0], mask[1], cat(zeros(width - c.length), ones(c.length))};
                mask = widen(mask);
                add(out, r.forward(batch, new int[][] {{1}, {2}, {3}},
                        new int[][] {{a.length + 1}, {b.length + 1}, {c.length}}, mask, true), 3, v);
                batch.selectRows(new int[] {2, 0});
                int drop = pad;                                 // row a's padding; row c has more
                batch.dropFirst(drop);
                mask = new int[][] {Arrays.copyOfRange(mask[2], drop, mask[2].length),
                        Arrays.copyOfRange(mask[0], drop, mask[0].length)};
                mask = widen(mask);
                add(out, r.forward(batch, new int[][] {{4}, {6}}, new int[][] {{c.length + 1}, {a.length + 2}}, mask,
                        true), 2, v);
            }
            return out.build();
        });
    }

    static Outputs gptRecomputed(Engine e, GptModel model, long seed) {
        InferenceEngine engine = Capable.inference(e);
        Ops ops = engine.inferenceOps();
        Builder out = new Builder();
        int v = model.config().vocabSize();
        try (LoadedWeights w = engine.load(ModelFixtures.weights(model, seed))) {
            for (int[] s : gptSequences()) {
                try (Tensor logits = model.logits(ops, w, ops.constant(HostTensor.ofInts(Shape.of(1, s.length), s)))) {
                    float[] all = logits.toFloatArray();
                    out.add("[" + v + "] last-position logits",
                            Arrays.copyOfRange(all, (s.length - 1) * v, s.length * v));
                }
            }
        }
        return out.build();
    }

    private static final int[][] SOURCES = {{23, 19, 13, 16, 10, 9, 19}, {16, 26, 13, 3, 8}};
    private static final int[][] TARGETS = {{ModelCases.BOS, 4, 9}, {ModelCases.BOS, 6, 5}};

    static Outputs seq2seqRuntimeRows(Engine e, Seq2SeqModel model, long seed) throws IOException {
        return withSeq2Seq(e, model, ModelFixtures.weights(model, seed), r -> {
            Builder out = new Builder();
            int v = r.vocabSize();
            int s = SOURCES[0].length;
            int[][] src = {SOURCES[0], cat(SOURCES[1], new int[s - SOURCES[1].length])};
            int[][] mask = {ones(s), cat(ones(SOURCES[1].length), zeros(s - SOURCES[1].length))};
            try (Seq2SeqCache cache = r.encode(src, mask)) {
                for (int t = 0; t < TARGETS[0].length; t++) {
                    add(out, r.decode(cache, new int[][] {{TARGETS[0][t]}, {TARGETS[1][t]}}, true), 2, v);
                }
                cache.selectRows(new int[] {1, 0, 1});
                add(out, r.decode(cache, new int[][] {{7}, {8}, {9}}, true), 3, v);
            }
            return out.build();
        });
    }

    static Outputs seq2seqRecomputed(Engine e, Seq2SeqModel model, long seed) {
        InferenceEngine engine = Capable.inference(e);
        Ops ops = engine.inferenceOps();
        Builder out = new Builder();
        int v = model.config().vocabSize();
        List<int[][]> steps = new ArrayList<>();
        for (int t = 1; t <= TARGETS[0].length; t++) {
            steps.add(new int[][] {SOURCES[0], Arrays.copyOf(TARGETS[0], t)});
            steps.add(new int[][] {SOURCES[1], Arrays.copyOf(TARGETS[1], t)});
        }
        steps.add(new int[][] {SOURCES[1], cat(TARGETS[1], 7)});
        steps.add(new int[][] {SOURCES[0], cat(TARGETS[0], 8)});
        steps.add(new int[][] {SOURCES[1], cat(TARGETS[1], 9)});
        try (LoadedWeights w = engine.load(ModelFixtures.weights(model, seed))) {
            for (int[][] st : steps) {
                int[] src = st[0];
                int[] tgt = st[1];
                try (Tensor memory = model.encode(ops, w, ops.constant(HostTensor.ofInts(Shape.of(1, src.length), src)), null);
                     Tensor logits = model.decode(ops, w, ops.constant(HostTensor.ofInts(Shape.of(1, tgt.length), tgt)),
                             memory, null, null)) {
                    float[] all = logits.toFloatArray();
                    out.add("[" + v + "] last-position logits",
                            Arrays.copyOfRange(all, (tgt.length - 1) * v, tgt.length * v));
                }
            }
        }
        return out.build();
    }

    /** Logits {@code [B, T, V]} of a whole batch in a fresh cache; null positions: from 0 in every row. */
    static HostTensor logits(GptRuntime g, int[][] ids, int[][] positions, int[][] mask) {
        try (GptCache cache = g.newCache(ids.length)) {
            return HostTensor.ofFloats(Shape.of(ids.length, ids[0].length, g.vocabSize()),
                    g.forward(cache, ids, positions, mask, false));
        }
    }

    /**
     * Runs {@code body} on a decoder runtime (GPT or Llama family) of {@code e}: its Ops composition with the weights loaded, or, on an engine
     * that serves and exports graphs, the served export of the weights.
     */
    static <T> T withGpt(Engine e, DecoderModel model, Map<String, HostTensor> weights, Function<GptRuntime, T> body)
            throws IOException {
        if (Capable.servesExports(e)) {
            try (Served s = Served.export(e, model.config(), weights)) {
                return body.apply(s.gpt());
            }
        }
        InferenceEngine engine = Capable.inference(e);
        try (LoadedWeights w = engine.load(weights)) {
            return body.apply(new OpsGptRuntime(model, engine.inferenceOps(), w));
        }
    }

    /** Runs {@code body} on an encoder-decoder runtime of {@code e}. */
    static <T> T withSeq2Seq(Engine e, Seq2SeqModel model, Map<String, HostTensor> weights,
            Function<Seq2SeqRuntime, T> body) throws IOException {
        if (Capable.servesExports(e)) {
            try (Served s = Served.export(e, model.config(), weights)) {
                return body.apply(s.seq2seq());
            }
        }
        InferenceEngine engine = Capable.inference(e);
        try (LoadedWeights w = engine.load(weights)) {
            return body.apply(new OpsSeq2SeqRuntime(model, engine.inferenceOps(), w));
        }
    }

    private static void add(Builder out, float[] logits, int rows, int vocab) {
        if (logits.length != rows * vocab) {
            throw new IllegalStateException("the runtime returned " + logits.length + " logits for " + rows
                    + " rows of vocabulary " + vocab + " (lastOnly)");
        }
        for (int r = 0; r < rows; r++) {
            out.add("[" + vocab + "] last-position logits", Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab));
        }
    }

    private static int[][] widen(int[][] mask) {
        int[][] out = new int[mask.length][];
        for (int i = 0; i < mask.length; i++) {
            out[i] = cat(mask[i], 1);
        }
        return out;
    }

    static int[] cat(int[] a, int... b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int[] zeros(int n) {
        return new int[n];
    }

    private static int[] ones(int n) {
        int[] o = new int[n];
        Arrays.fill(o, 1);
        return o;
    }

    private static int[] range(int from, int count) {
        int[] o = new int[count];
        Arrays.setAll(o, i -> from + i);
        return o;
    }
}
