package org.transformer4j.conformance;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.transformer4j.conformance.EngineCase.Builder;
import org.transformer4j.conformance.EngineCase.Outputs;
import org.transformer4j.conformance.ModelServer.Incremental;
import org.transformer4j.conformance.ModelServer.ServedGpt;
import org.transformer4j.conformance.ModelServer.ServedSeq2Seq;
import org.transformer4j.data.Batch;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * The whole-model cases of {@link ModelCases} computed on a {@link ModelServer} (a backend serving exported models):
 * the same inputs and outputs, through the served model's logits, cache and generators instead of the ops.
 */
final class ServedCases {
    private ServedCases() {
    }

    static Outputs gptLogits(ModelServer s, GptModel model, Map<String, HostTensor> weights, HostTensor ids)
            throws IOException {
        try (ServedGpt g = s.serve(model.config(), weights)) {
            return Outputs.of(g.logits(rows(ids), null, null));
        }
    }

    static Outputs gptLeftPadded(ModelServer s, GptModel model, Map<String, HostTensor> weights, int[] ids,
            int[] positions, int[] mask) throws IOException {
        try (ServedGpt g = s.serve(model.config(), weights)) {
            Shape shape = Shape.of(2, ids.length / 2);
            return Outputs.of(g.logits(rows(HostTensor.ofInts(shape, ids)), rows(HostTensor.ofInts(shape, positions)),
                    rows(HostTensor.ofInts(shape, mask))));
        }
    }

    static UnsupportedOperationException noLoss(ModelServer s) {
        return new UnsupportedOperationException("a served model (" + s.getClass().getSimpleName() + ") outputs "
                + "logits, not the training loss; its logits are checked by the *_logits cases");
    }

    static Outputs seq2seqLogits(ModelServer s, Seq2SeqModel model, Map<String, HostTensor> weights, Batch batch)
            throws IOException {
        try (ServedSeq2Seq m = s.serve(model.config(), weights)) {
            int[][] mask = rows(batch.get("src_mask"));
            HostTensor memory = m.encode(rows(batch.get("src_ids")), mask);
            return Outputs.of(m.decode(rows(batch.get("tgt_in")), memory, mask));
        }
    }

    static Outputs gptCached(ModelServer s, GptModel model, Map<String, HostTensor> weights, HostTensor ids, int prompt)
            throws IOException {
        try (ServedGpt g = s.serve(model.config(), weights); Incremental cache = g.incremental(ids.shape().dim(0))) {
            return cached(cache, ids, prompt, model.config().vocabSize());
        }
    }

    static Outputs seq2seqCached(ModelServer s, Seq2SeqModel model, Map<String, HostTensor> weights, Batch batch,
            int prefix) throws IOException {
        try (ServedSeq2Seq m = s.serve(model.config(), weights)) {
            int[][] mask = rows(batch.get("src_mask"));
            HostTensor memory = m.encode(rows(batch.get("src_ids")), mask);
            try (Incremental cache = m.incremental(memory, mask)) {
                return cached(cache, batch.get("tgt_in"), prefix, model.config().vocabSize());
            }
        }
    }

    /** Feeds {@code ids} as {@code prefix} tokens, then one at a time; the logits of every position. */
    private static Outputs cached(Incremental cache, HostTensor ids, int prefix, int vocab) {
        int b = ids.shape().dim(0);
        int t = ids.shape().dim(1);
        float[] all = new float[b * t * vocab];
        int from = 0;
        while (from < t) {
            int to = from == 0 ? prefix : from + 1;
            float[] part = cache.next(rows(ModelCases.columns(ids, from, to))).floats();
            ModelCases.place(part, all, b, t, vocab, from, to);
            from = to;
        }
        return new Builder().add(Shape.of(b, t, vocab) + " FLOAT32", all).build();
    }

    static List<int[]> gptGreedy(ModelServer s, GptModel model, Map<String, HostTensor> weights, List<int[]> prompts,
            GenerationOptions options) throws IOException {
        try (ServedGpt g = s.serve(model.config(), weights)) {
            return g.generator().generate(prompts, options);
        }
    }

    static List<org.transformer4j.generate.Hypothesis> gptBeam(ModelServer s, GptModel model,
            Map<String, HostTensor> weights, int[] prompt, BeamSearchOptions options) throws IOException {
        try (ServedGpt g = s.serve(model.config(), weights)) {
            return g.generator().beamSearch(prompt, options);
        }
    }

    static int[][] seq2seqGreedy(ModelServer s, Seq2SeqModel model, Map<String, HostTensor> weights,
            List<int[]> sources, int bos, int eos, GenerationOptions options) throws IOException {
        try (ServedSeq2Seq m = s.serve(model.config(), weights)) {
            int[][] out = new int[sources.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = m.generator(bos, eos).generate(sources.get(i), options);
            }
            return out;
        }
    }

    static List<org.transformer4j.generate.Hypothesis> seq2seqBeam(ModelServer s, Seq2SeqModel model,
            Map<String, HostTensor> weights, int[] source, int bos, int eos, BeamSearchOptions options)
            throws IOException {
        try (ServedSeq2Seq m = s.serve(model.config(), weights)) {
            return m.generator(bos, eos).beamSearch(source, options);
        }
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
