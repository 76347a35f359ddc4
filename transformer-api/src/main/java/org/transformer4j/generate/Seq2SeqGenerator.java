package org.transformer4j.generate;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntPredicate;
import org.transformer4j.backend.Engine;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;

/**
 * Generates the target of an encoder-decoder (translation) incrementally: the source is encoded once, then the
 * decoder starts from the BOS id and runs one token at a time against its key/value cache (self-attention keys
 * and values growing, the encoder output's cross-attention keys and values computed on the first step only).
 * Stops at the EOS id, at a stop token of the options, after {@code maxNewTokens} or when the callback says so.
 * Greedy, sampling ({@link #generate}) or beam search ({@link #beamSearch}).
 *
 * <p>The source must fit the context ({@link GenerationOptions#cropPrompt()} keeps its last tokens otherwise) and
 * the target can be at most the context length: decoding does not slide a window.
 */
public final class Seq2SeqGenerator {
    private final Seq2SeqModel model;
    private final Ops ops;
    private final Parameters weights;
    private final int bos;
    private final int eos;

    /** A generator on {@code engine}'s inference ops, starting targets with {@code bosId} and ending them at {@code eosId}. */
    public Seq2SeqGenerator(Seq2SeqModel model, Engine engine, Parameters weights, int bosId, int eosId) {
        this(model, engine.inferenceOps(), weights, bosId, eosId);
    }

    /** A generator on {@code ops} (inference ops), starting targets with {@code bosId} and ending them at {@code eosId}. */
    public Seq2SeqGenerator(Seq2SeqModel model, Ops ops, Parameters weights, int bosId, int eosId) {
        this.model = Objects.requireNonNull(model, "model");
        this.ops = Objects.requireNonNull(ops, "ops");
        this.weights = Objects.requireNonNull(weights, "weights");
        int vocab = model.config().vocabSize();
        if (bosId < 0 || bosId >= vocab) {
            throw new IllegalArgumentException("the BOS id " + bosId + " is outside the vocabulary [0, " + vocab + ")");
        }
        if (eosId < 0 || eosId >= vocab) {
            throw new IllegalArgumentException("the EOS id " + eosId + " is outside the vocabulary [0, " + vocab + ")");
        }
        this.bos = bosId;
        this.eos = eosId;
    }

    /** The model this generator runs. */
    public Seq2SeqModel model() {
        return model;
    }

    /**
     * Greedy or sampled target for {@code source}; {@code onToken} sees each token as it is chosen (not the final
     * EOS or stop token) and may return false to stop.
     *
     * @return the target tokens, without BOS and without the EOS or stop token that ended them
     */
    public int[] generate(int[] source, GenerationOptions options, IntPredicate onToken) {
        Objects.requireNonNull(onToken, "onToken");
        try (DecodingSession session = session(source, options.cropPrompt())) {
            int max = options.maxNewTokens();
            if (max > session.maxNewTokens()) {
                throw new IllegalArgumentException("maxNewTokens " + max + " exceeds the decoder's context length "
                        + session.maxNewTokens() + "; lower it");
            }
            TokenSampler sampler = new TokenSampler(options);
            int vocab = session.vocabSize();
            int[] out = new int[max];
            int produced = 0;
            if (max == 0) {
                return out;
            }
            float[] logits = session.start();
            while (true) {
                int next = sampler.next(logits, 0, vocab);
                if (next == eos || options.stopTokens().contains(next)) {
                    break;
                }
                out[produced++] = next;
                if (!onToken.test(next) || produced == max) {
                    break;
                }
                logits = session.step(new int[] {next});
            }
            return Arrays.copyOf(out, produced);
        }
    }

    /** Greedy or sampled target for {@code source}, without a callback. */
    public int[] generate(int[] source, GenerationOptions options) {
        return generate(source, options, t -> true);
    }

    /**
     * Beam search for {@code source} (see {@link BeamSearch}); the generator's EOS id ends hypotheses, in
     * addition to {@code options.eosTokens()}.
     *
     * @return up to {@code nBest} hypotheses, best first
     */
    public List<Hypothesis> beamSearch(int[] source, BeamSearchOptions options) {
        var eosIds = new java.util.HashSet<>(options.eosTokens());
        eosIds.add(eos);
        BeamSearchOptions withEos = new BeamSearchOptions(options.width(), options.lengthPenalty(),
                options.maxNewTokens(), options.nBest(), eosIds);
        try (DecodingSession session = session(source, false)) {
            return BeamSearch.search(session, withEos);
        }
    }

    /**
     * A decoding session for {@code source} (checked: not empty, ids in the vocabulary, at most the context length
     * unless {@code cropSource}), for custom search strategies. Close it.
     */
    public DecodingSession session(int[] source, boolean cropSource) {
        int[] fitted = Sessions.checkTokens(source, model.config().vocabSize(), model.config().contextLength(),
                cropSource, "the source");
        return new Seq2SeqDecodingSession(model, ops, weights, fitted, bos);
    }
}
