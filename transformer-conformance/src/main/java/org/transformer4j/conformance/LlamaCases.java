package org.transformer4j.conformance;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transformer4j.backend.Engine;
import org.transformer4j.conformance.ConformanceCase.Need;
import org.transformer4j.conformance.EngineCase.Builder;
import org.transformer4j.conformance.EngineCase.Outputs;
import org.transformer4j.data.Batch;
import org.transformer4j.generate.GptCache;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.nn.layers.RopeScaling;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * Whole-model cases of the Llama family on two tiny decoders of odd sizes (vocabulary 29, width 12, MLP 20, context
 * 12): a Llama with 4 heads of 4 (wider than width/heads, as {@code head_dim} allows) sharing 2 key/value heads,
 * llama3-scaled rotary positions and an untied head; and a Qwen2 with 2 heads of 6 sharing one key/value head
 * (multi-query), q/k/v biases and a tied head. Logits, a left-padded batch with per-row position ids, the key/value
 * cache (which holds only the key/value heads) against a full recompute, and the loss and every gradient. The
 * inference cases run through the engine's decoder runtime: on an engine that serves exported graphs, through the
 * model exported and served from a temporary directory ({@link Served}); the gradient cases need an engine that
 * trains.
 */
final class LlamaCases {

    private LlamaCases() {
    }

    static LlamaModel llama() {
        return new LlamaModel(LlamaConfig.builder().vocabSize(ModelFixtures.VOCAB).hiddenSize(ModelFixtures.WIDTH)
                .intermediateSize(ModelFixtures.FFN).layers(2).heads(4).kvHeads(2).headDim(4).ropeTheta(500000)
                .ropeScaling(RopeScaling.llama3(8, 1, 4, 8)).maxPositionEmbeddings(ModelFixtures.CONTEXT).build());
    }

    static LlamaModel qwen2() {
        return new LlamaModel(LlamaConfig.builder().family(LlamaConfig.Family.QWEN2).vocabSize(ModelFixtures.VOCAB)
                .hiddenSize(ModelFixtures.WIDTH).intermediateSize(ModelFixtures.FFN).layers(2).heads(2).kvHeads(1)
                .attentionBias(true).tieWordEmbeddings(true).rmsNormEps(1e-6f)
                .maxPositionEmbeddings(ModelFixtures.CONTEXT).build());
    }

    /** Llama weights spread as {@link ModelFixtures#weights} spreads GPT's, but smaller: SwiGLU squares the gain. */
    static Map<String, HostTensor> weights(LlamaModel model, long seed) {
        Map<String, HostTensor> w = ModelFixtures.weights(model, seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        w.forEach((name, t) -> {
            float[] v = t.floats().clone();
            if (t.shape().rank() == 2) {
                for (int i = 0; i < v.length; i++) {
                    v[i] *= 0.4f;
                }
            }
            out.put(name, HostTensor.ofFloats(t.shape(), v));
        });
        return out;
    }

    static List<ConformanceCase> all() {
        List<ConformanceCase> cases = new ArrayList<>();
        Batch batch = ModelFixtures.gptBatch();
        HostTensor ids = batch.get("input_ids");
        cases.add(EngineCase.of("llama_logits", "Llama (RMSNorm, llama3-scaled RoPE, 4 heads of 4 / 2 key/value "
                + "heads, SwiGLU, untied) logits [2, 9, " + ModelFixtures.VOCAB + "]", ModelCases.MODEL, Need.INFERENCE,
                e -> logits(e, llama(), 31, ids)));
        cases.add(EngineCase.of("llama_logits_qwen2", "Qwen2 (2 heads / 1 key/value head, q/k/v biases, tied head) logits [2, 9, "
                + ModelFixtures.VOCAB + "]", ModelCases.MODEL, Need.INFERENCE, e -> logits(e, qwen2(), 32, ids)));
        cases.add(EngineCase.of("llama_logits_left_padded", "Llama logits of a left-padded batch (row 0 has 3 pads) "
                + "with a key mask and per-row rotary position ids; compared at the real tokens", ModelCases.MODEL,
                Need.INFERENCE, e -> leftPadded(e, llama(), 31, ids)));
        cases.add(EngineCase.of("llama_kv_cache", "Llama logits for 9 tokens fed as a prompt of 4 then 5 single steps"
                + " through the key/value cache (2 key/value heads); must equal llama_logits", ModelCases.MODEL,
                Need.INFERENCE, e -> cached(e, llama(), 31, ids, 4)));
        cases.add(EngineCase.of("llama_gradients", "Llama training loss and the gradient of every weight after one "
                + "forward/backward on a [2, 9] batch with 3 ignored targets", TrainingCases.GRADIENTS, Need.TRAINING,
                e -> TrainingCases.gradients(e, llama(), weights(llama(), 31), batch)));
        cases.add(EngineCase.of("llama_gradients_qwen2", "Qwen2 (biases, tied head) training loss and gradients",
                TrainingCases.GRADIENTS, Need.TRAINING, e -> TrainingCases.gradients(e, qwen2(), weights(qwen2(), 32),
                batch)));
        return cases;
    }

    /**
     * Logits {@code [B, T, V]} of a whole batch through the engine's decoder runtime (the Ops composition, or the
     * served export on an engine that serves exported graphs).
     */
    static Outputs logits(Engine e, LlamaModel model, long seed, HostTensor ids) throws IOException {
        return RuntimeCases.withGpt(e, model, weights(model, seed),
                r -> Outputs.of(RuntimeCases.logits(r, ModelCases.rows(ids), null, null)));
    }

    static Outputs leftPadded(Engine e, LlamaModel model, long seed, HostTensor ids) throws IOException {
        int t = ids.shape().dim(1);
        int[] padded = ids.ints().clone();
        int[] positions = new int[2 * t];
        int[] mask = new int[2 * t];
        for (int j = 0; j < t; j++) {
            boolean pad = j < 3;
            mask[j] = pad ? 0 : 1;
            positions[j] = pad ? 0 : j - 3;
            if (pad) {
                padded[j] = 0;
            }
            mask[t + j] = 1;
            positions[t + j] = j;
        }
        Shape s = Shape.of(2, t);
        HostTensor logits = RuntimeCases.withGpt(e, model, weights(model, seed),
                r -> RuntimeCases.logits(r, ModelCases.rows(HostTensor.ofInts(s, padded)),
                        ModelCases.rows(HostTensor.ofInts(s, positions)), ModelCases.rows(HostTensor.ofInts(s, mask))));
        float[] v = logits.floats().clone();
        int vocab = model.config().vocabSize();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0) {
                Arrays.fill(v, i * vocab, (i + 1) * vocab, 0f); // a query that sees no key has no defined output
            }
        }
        return new Builder().add(logits.shape() + " logits, padded positions zeroed", v).build();
    }

    /** Logits of {@code ids} fed as a prompt of {@code prompt} tokens, then one token at a time through the cache. */
    static Outputs cached(Engine e, LlamaModel model, long seed, HostTensor ids, int prompt) throws IOException {
        int t = ids.shape().dim(1);
        int b = ids.shape().dim(0);
        int vocab = model.config().vocabSize();
        return RuntimeCases.withGpt(e, model, weights(model, seed), r -> {
            float[] all = new float[b * t * vocab];
            try (GptCache cache = r.newCache(b)) {
                int from = 0;
                while (from < t) {
                    int to = from == 0 ? prompt : from + 1;
                    float[] part = r.forward(cache, ModelCases.rows(ModelCases.columns(ids, from, to)), null, null,
                            false);
                    ModelCases.place(part, all, b, t, vocab, from, to);
                    from = to;
                }
            }
            return new Builder().add(Shape.of(b, t, vocab) + " FLOAT32", all).build();
        });
    }
}
