package org.transformer4j.examples.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.Seq2SeqGenerator;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * Translates texts by beam search ({@link Seq2SeqGenerator#beamSearch}), one source at a time: keeps the
 * {@code width} most likely partial translations at each step and returns the best finished one, ranked by
 * {@code logProb / length^lengthPenalty}. Texts are encoded with {@code parseSpecialTokens = false}, as for
 * training.
 */
public final class BeamTranslator implements Translator {
    private final Seq2SeqGenerator generator;
    private final Tokenizer tokenizer;
    private final BeamSearchOptions options;
    private final int context;

    /**
     * @param width         beam width (1 behaves as greedy decoding)
     * @param lengthPenalty exponent of the length normalization (0: raw log-probability; GNMT uses 0.6)
     * @throws IllegalArgumentException if the tokenizer lacks {@code <bos>} or {@code <eos>}, or width is below 1
     */
    public BeamTranslator(Seq2SeqModel model, InferenceEngine engine, Parameters weights, Tokenizer tokenizer, int width,
                          double lengthPenalty) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        int bos = tokenizer.bosId().orElseThrow(() -> new IllegalArgumentException("the tokenizer has no <bos> token"));
        int eos = tokenizer.eosId().orElseThrow(() -> new IllegalArgumentException("the tokenizer has no <eos> token"));
        this.generator = new Seq2SeqGenerator(model, engine.inferenceOps(), weights, bos, eos);
        this.context = model.config().contextLength();
        this.options = BeamSearchOptions.of(width, context, Set.of(eos)).withLengthPenalty(lengthPenalty);
    }

    @Override
    public List<String> translate(List<String> sources, int batchSize) {
        List<String> out = new ArrayList<>(sources.size());
        for (int i = 0; i < sources.size(); i++) {
            int[] ids;
            try {
                ids = tokenizer.encode(sources.get(i), false);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("input " + (i + 1) + " (\"" + sources.get(i) + "\") cannot be encoded: "
                        + e.getMessage(), e);
            }
            if (ids.length == 0) {
                throw new IllegalArgumentException("input " + (i + 1) + " is empty; give some text");
            }
            if (ids.length > context) {
                throw new IllegalArgumentException("input " + (i + 1) + " has " + ids.length
                        + " tokens but the model's context is " + context + "; shorten it");
            }
            out.add(tokenizer.decode(generator.beamSearch(ids, options).getFirst().tokens()));
        }
        return out;
    }
}
