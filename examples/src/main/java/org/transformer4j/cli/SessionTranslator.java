package org.transformer4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.transformer4j.examples.translate.Translator;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.TargetGenerator;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * Translates one source at a time with any {@link TargetGenerator} (here: an exported encoder-decoder on ONNX
 * Runtime), greedy (beam width 1) or by beam search ranked by {@code logProb / length^lengthPenalty}. Texts are
 * encoded with {@code parseSpecialTokens = false}, as for training.
 */
final class SessionTranslator implements Translator {
    private final TargetGenerator generator;
    private final Tokenizer tokenizer;
    private final int context;
    private final int width;
    private final BeamSearchOptions beam;

    SessionTranslator(TargetGenerator generator, Tokenizer tokenizer, int context, int width, double lengthPenalty) {
        this.generator = Objects.requireNonNull(generator, "generator");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.context = context;
        this.width = width;
        this.beam = width == 1 ? null
                : BeamSearchOptions.of(width, context, Set.of(generator.eosId())).withLengthPenalty(lengthPenalty);
    }

    @Override
    public List<String> translate(List<String> sources, int batchSize) {
        List<String> out = new ArrayList<>(sources.size());
        for (int i = 0; i < sources.size(); i++) {
            int[] ids = encode(sources.get(i), i);
            int[] target = width == 1 ? generator.generate(ids, GenerationOptions.greedy(context))
                    : generator.beamSearch(ids, beam).getFirst().tokens();
            out.add(tokenizer.decode(target));
        }
        return out;
    }

    private int[] encode(String text, int index) {
        int[] ids;
        try {
            ids = tokenizer.encode(text, false);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("input " + (index + 1) + " (\"" + text + "\") cannot be encoded: "
                    + e.getMessage(), e);
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("input " + (index + 1) + " is empty; give some text");
        }
        if (ids.length > context) {
            throw new IllegalArgumentException("input " + (index + 1) + " has " + ids.length
                    + " tokens but the model's context is " + context + "; shorten it");
        }
        return ids;
    }
}
