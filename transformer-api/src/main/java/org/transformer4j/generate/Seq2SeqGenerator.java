package org.transformer4j.generate;

import java.util.Objects;
import org.transformer4j.backend.Engine;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;

/**
 * Generates the target of an encoder-decoder (translation) incrementally: the source is encoded once, then the
 * decoder starts from the BOS id and runs one token at a time against its key/value cache (self-attention keys
 * and values growing, the encoder output's cross-attention keys and values computed on the first step only).
 * Stops at the EOS id, at a stop token of the options, after {@code maxNewTokens} or when the callback says so.
 * Greedy, sampling ({@link #generate}) or beam search ({@link #beamSearch}): the backend-neutral loops of
 * {@link TargetGenerator} over this generator's {@link #session sessions}.
 *
 * <p>The source must fit the context ({@link GenerationOptions#cropPrompt()} keeps its last tokens otherwise) and
 * the target can be at most the context length: decoding does not slide a window.
 */
public final class Seq2SeqGenerator implements TargetGenerator {
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
        this.bos = Sessions.checkId(bosId, model.config().vocabSize(), "BOS");
        this.eos = Sessions.checkId(eosId, model.config().vocabSize(), "EOS");
    }

    /** The model this generator runs. */
    public Seq2SeqModel model() {
        return model;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    /**
     * A decoding session for {@code source} (checked: not empty, ids in the vocabulary, at most the context length
     * unless {@code cropSource}), for custom search strategies. Close it.
     */
    @Override
    public DecodingSession session(int[] source, boolean cropSource) {
        int[] fitted = Sessions.checkTokens(source, model.config().vocabSize(), model.config().contextLength(),
                cropSource, "the source");
        return new Seq2SeqDecodingSession(model, ops, weights, fitted, bos);
    }
}
