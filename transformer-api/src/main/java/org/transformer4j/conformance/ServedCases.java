package org.transformer4j.conformance;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.transformer4j.backend.Engine;
import org.transformer4j.conformance.EngineCase.Builder;
import org.transformer4j.conformance.EngineCase.Outputs;
import org.transformer4j.data.Batch;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptCache;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.generate.Hypothesis;
import org.transformer4j.generate.Seq2SeqCache;
import org.transformer4j.generate.Seq2SeqGenerator;
import org.transformer4j.generate.Seq2SeqRuntime;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * The whole-model cases of {@link ModelCases} computed on an engine that serves exported graphs ({@link Served}):
 * the same inputs and outputs, through the export's {@link GptRuntime} or {@link Seq2SeqRuntime} and the generators
 * over them instead of the ops.
 */
final class ServedCases {
    private ServedCases() {
    }

    /** Logits {@code [B, T, V]} of a whole batch in a fresh cache. */
    static HostTensor logits(GptRuntime g, int[][] ids, int[][] positions, int[][] mask) {
        try (GptCache cache = g.newCache(ids.length)) {
            int[][] pos = positions != null ? positions : following(ids.length, 0, ids[0].length);
            return HostTensor.ofFloats(Shape.of(ids.length, ids[0].length, g.vocabSize()),
                    g.forward(cache, ids, pos, mask, false));
        }
    }

    static Outputs gptLogits(Engine e, GptModel model, Map<String, HostTensor> weights, HostTensor ids)
            throws IOException {
        try (Served s = Served.export(e, model.config(), weights)) {
            return Outputs.of(logits(s.gpt(), rows(ids), null, null));
        }
    }

    static Outputs gptLeftPadded(Engine e, GptModel model, Map<String, HostTensor> weights, int[] ids,
            int[] positions, int[] mask) throws IOException {
        try (Served s = Served.export(e, model.config(), weights)) {
            Shape shape = Shape.of(2, ids.length / 2);
            return Outputs.of(logits(s.gpt(), rows(HostTensor.ofInts(shape, ids)), rows(HostTensor.ofInts(shape, positions)),
                    rows(HostTensor.ofInts(shape, mask))));
        }
    }

    static UnsupportedOperationException noLoss(Engine e) {
        return new UnsupportedOperationException("a served model (" + e.backendName() + ") outputs "
                + "logits, not the training loss; its logits are checked by the *_logits cases");
    }

    static Outputs seq2seqLogits(Engine e, Seq2SeqModel model, Map<String, HostTensor> weights, Batch batch)
            throws IOException {
        try (Served s = Served.export(e, model.config(), weights);
             Seq2SeqCache cache = s.seq2seq().encode(rows(batch.get("src_ids")), rows(batch.get("src_mask")))) {
            int[][] tgt = rows(batch.get("tgt_in"));
            return Outputs.of(HostTensor.ofFloats(Shape.of(tgt.length, tgt[0].length, model.config().vocabSize()),
                    s.seq2seq().decode(cache, tgt, false)));
        }
    }

    static Outputs gptCached(Engine e, GptModel model, Map<String, HostTensor> weights, HostTensor ids, int prompt)
            throws IOException {
        try (Served s = Served.export(e, model.config(), weights);
             GptCache cache = s.gpt().newCache(ids.shape().dim(0))) {
            GptRuntime g = s.gpt();
            return cached(part -> g.forward(cache, part, following(part.length, cache.length(), part[0].length), null,
                    false), ids, prompt, model.config().vocabSize());
        }
    }

    static Outputs seq2seqCached(Engine e, Seq2SeqModel model, Map<String, HostTensor> weights, Batch batch,
            int prefix) throws IOException {
        try (Served s = Served.export(e, model.config(), weights);
             Seq2SeqCache cache = s.seq2seq().encode(rows(batch.get("src_ids")), rows(batch.get("src_mask")))) {
            Seq2SeqRuntime r = s.seq2seq();
            return cached(part -> r.decode(cache, part, false), batch.get("tgt_in"), prefix, model.config().vocabSize());
        }
    }

    /** Feeds {@code ids} as {@code prefix} tokens, then one at a time; the logits of every position. */
    private static Outputs cached(java.util.function.Function<int[][], float[]> next, HostTensor ids, int prefix,
            int vocab) {
        int b = ids.shape().dim(0);
        int t = ids.shape().dim(1);
        float[] all = new float[b * t * vocab];
        int from = 0;
        while (from < t) {
            int to = from == 0 ? prefix : from + 1;
            float[] part = next.apply(rows(ModelCases.columns(ids, from, to)));
            ModelCases.place(part, all, b, t, vocab, from, to);
            from = to;
        }
        return new Builder().add(Shape.of(b, t, vocab) + " FLOAT32", all).build();
    }

    static List<int[]> gptGreedy(Engine e, GptModel model, Map<String, HostTensor> weights, List<int[]> prompts,
            GenerationOptions options) throws IOException {
        try (Served s = Served.export(e, model.config(), weights)) {
            return new GptGenerator(s.gpt()).generate(prompts, options);
        }
    }

    static List<Hypothesis> gptBeam(Engine e, GptModel model, Map<String, HostTensor> weights, int[] prompt,
            BeamSearchOptions options) throws IOException {
        try (Served s = Served.export(e, model.config(), weights)) {
            return new GptGenerator(s.gpt()).beamSearch(prompt, options);
        }
    }

    static int[][] seq2seqGreedy(Engine e, Seq2SeqModel model, Map<String, HostTensor> weights,
            List<int[]> sources, int bos, int eos, GenerationOptions options) throws IOException {
        try (Served s = Served.export(e, model.config(), weights)) {
            Seq2SeqGenerator g = new Seq2SeqGenerator(s.seq2seq(), bos, eos);
            int[][] out = new int[sources.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = g.generate(sources.get(i), options);
            }
            return out;
        }
    }

    static List<Hypothesis> seq2seqBeam(Engine e, Seq2SeqModel model, Map<String, HostTensor> weights, int[] source,
            int bos, int eos, BeamSearchOptions options) throws IOException {
        try (Served s = Served.export(e, model.config(), weights)) {
            return new Seq2SeqGenerator(s.seq2seq(), bos, eos).beamSearch(source, options);
        }
    }

    /** Positions {@code past .. past + t - 1} in every row. */
    static int[][] following(int rows, int past, int t) {
        int[][] p = new int[rows][t];
        for (int[] row : p) {
            for (int j = 0; j < t; j++) {
                row[j] = past + j;
            }
        }
        return p;
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
}
