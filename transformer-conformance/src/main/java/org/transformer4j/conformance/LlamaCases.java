package org.transformer4j.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.ConformanceCase.Need;
import org.transformer4j.conformance.EngineCase.Builder;
import org.transformer4j.conformance.EngineCase.Outputs;
import org.transformer4j.data.Batch;
import org.transformer4j.model.KvCache;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.layers.RopeScaling;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Whole-model cases of the Llama family on two tiny decoders of odd sizes (vocabulary 29, width 12, MLP 20, context
 * 12): a Llama with 4 heads of 4 (wider than width/heads, as {@code head_dim} allows) sharing 2 key/value heads,
 * llama3-scaled rotary positions and an untied head; and a Qwen2 with 2 heads of 6 sharing one key/value head
 * (multi-query), q/k/v biases and a tied head. Logits, a left-padded batch with per-row position ids, the key/value
 * cache (which holds only the key/value heads) against a full recompute, and the loss and every gradient. Engines that
 * serve exported graphs (a {@code ServingEngine}) are NOT_SUPPORTED: Llama-family models have no ONNX export yet.
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
                e -> {
                    requireOps(e);
                    return TrainingCases.gradients(e, llama(), weights(llama(), 31), batch);
                }));
        cases.add(EngineCase.of("llama_gradients_qwen2", "Qwen2 (biases, tied head) training loss and gradients",
                TrainingCases.GRADIENTS, Need.TRAINING, e -> {
                    requireOps(e);
                    return TrainingCases.gradients(e, qwen2(), weights(qwen2(), 32), batch);
                }));
        return cases;
    }

    private static InferenceEngine requireOps(Engine e) {
        if (!(e instanceof InferenceEngine)) {
            throw new UnsupportedOperationException("a served-graph engine (" + e.backendName() + ") cannot "
                    + "run Llama-family models yet: their ONNX export is not implemented");
        }
        return (InferenceEngine) e;
    }

    static Outputs logits(Engine e, LlamaModel model, long seed, HostTensor ids) {
        InferenceEngine ie = requireOps(e);
        Ops ops = ie.inferenceOps();
        try (LoadedWeights w = ie.load(weights(model, seed)); Tensor logits = model.logits(ops, w, ops.constant(ids))) {
            return Outputs.of(logits);
        }
    }

    static Outputs leftPadded(Engine e, LlamaModel model, long seed, HostTensor ids) {
        InferenceEngine ie = requireOps(e);
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
        Ops ops = ie.inferenceOps();
        Shape s = Shape.of(2, t);
        float[] v;
        Shape shape;
        try (LoadedWeights w = ie.load(weights(model, seed));
             Tensor logits = model.logits(ops, w, ops.constant(HostTensor.ofInts(s, padded)),
                     ops.constant(HostTensor.ofInts(s, positions)), null, ops.constant(HostTensor.ofInts(s, mask)))) {
            v = logits.toFloatArray();
            shape = logits.shape();
        }
        int vocab = model.config().vocabSize();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0) {
                Arrays.fill(v, i * vocab, (i + 1) * vocab, 0f); // a query that sees no key has no defined output
            }
        }
        return new Builder().add(shape + " logits, padded positions zeroed", v).build();
    }

    static Outputs cached(Engine e, LlamaModel model, long seed, HostTensor ids, int prompt) {
        InferenceEngine ie = requireOps(e);
        Ops ops = ie.inferenceOps();
        int t = ids.shape().dim(1);
        int b = ids.shape().dim(0);
        int vocab = model.config().vocabSize();
        float[] all = new float[b * t * vocab];
        try (LoadedWeights w = ie.load(weights(model, seed)); KvCache cache = model.newCache()) {
            int from = 0;
            while (from < t) {
                int to = from == 0 ? prompt : from + 1;
                try (Tensor logits = model.logits(ops, w, ops.constant(ModelCases.columns(ids, from, to)), null, cache,
                        null)) {
                    ModelCases.place(logits.toFloatArray(), all, b, t, vocab, from, to);
                }
                from = to;
            }
        }
        return new Builder().add(Shape.of(b, t, vocab) + " FLOAT32", all).build();
    }
}
