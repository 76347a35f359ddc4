package org.transformer4j.conformance;

import java.util.List;
import java.util.Map;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Bad inputs to whole models, which every backend must refuse with an {@link IllegalArgumentException}: token ids
 * outside the vocabulary, sequences longer than the context, no tokens at all, an empty prompt. On an ops backend
 * they run through {@code Engine.load} and the composition; on an engine that serves exported graphs through the export ({@link Served}).
 */
final class ModelBadInputs {
    private static final GptModel GPT = ModelFixtures.gptPreLn();
    private static final Seq2SeqModel S2S = ModelFixtures.seq2seqPostLn();
    private static final long GPT_SEED = 11;
    private static final long S2S_SEED = 21;

    private ModelBadInputs() {
    }

    static List<ConformanceCase> all() {
        int vocab = ModelFixtures.VOCAB;
        int context = ModelFixtures.CONTEXT;
        return List.of(
                new BadInputCase("bad_gpt_token_past_vocab", "GPT logits for ids [2, 9] holding " + vocab
                        + " (the model's vocabulary size)", e -> gptLogits(e,
                                BadInputCases.withValue(ModelFixtures.ids(101, 2, 9), 12, vocab))),
                new BadInputCase("bad_gpt_sequence_past_context", "GPT logits for ids [1, " + (context + 1)
                        + "], one token more than the context " + context, e -> gptLogits(e,
                                ModelFixtures.ids(103, 1, context + 1))),
                new BadInputCase("bad_gpt_empty_input", "GPT logits for ids [2, 0] (no tokens)",
                        e -> gptLogits(e, HostTensor.ofInts(Shape.of(2, 0), new int[0]))),
                new BadInputCase("bad_gpt_empty_prompt", "greedy GPT generation from an empty prompt",
                        ModelBadInputs::emptyPrompt),
                new BadInputCase("bad_seq2seq_source_negative_id", "encoder output for a source [2, 7] holding -1",
                        e -> encode(e, BadInputCases.withValue(ModelFixtures.ids(201, 2, 7), 3, -1))),
                new BadInputCase("bad_seq2seq_source_past_context", "encoder output for a source [1, " + (context + 1)
                        + "], one token more than the context " + context,
                        e -> encode(e, ModelFixtures.ids(202, 1, context + 1))));
    }

    private static Map<String, HostTensor> gptWeights() {
        return ModelFixtures.weights(GPT, GPT_SEED);
    }

    private static Tensor gptLogits(Engine e, HostTensor ids) throws Exception {
        if (Capable.servesExports(e)) {
            try (Served s = Served.export(e, GPT.config(), gptWeights())) {
                return RuntimeCases.logits(s.gpt(), ModelCases.rows(ids), null, null);
            }
        }
        Ops ops = Capable.inference(e).inferenceOps();
        try (LoadedWeights w = Capable.inference(e).load(gptWeights())) {
            return GPT.logits(ops, w, ops.constant(ids));
        }
    }

    private static Tensor emptyPrompt(Engine e) throws Exception {
        GenerationOptions greedy = GenerationOptions.greedy(3);
        if (Capable.servesExports(e)) {
            try (Served s = Served.export(e, GPT.config(), gptWeights())) {
                new GptGenerator(s.gpt()).generate(new int[0], greedy, t -> true);
            }
        } else {
            try (LoadedWeights w = Capable.inference(e).load(gptWeights())) {
                new GptGenerator(GPT, Capable.inference(e).inferenceOps(), w).generate(new int[0], greedy, t -> true);
            }
        }
        return null;
    }

    private static Tensor encode(Engine e, HostTensor src) throws Exception {
        Map<String, HostTensor> weights = ModelFixtures.weights(S2S, S2S_SEED);
        if (Capable.servesExports(e)) {
            try (Served s = Served.export(e, S2S.config(), weights)) {
                s.seq2seq().encode(ModelCases.rows(src), null).close();
                return null;
            }
        }
        Ops ops = Capable.inference(e).inferenceOps();
        try (LoadedWeights w = Capable.inference(e).load(weights)) {
            return S2S.encode(ops, w, ops.constant(src), null);
        }
    }
}
