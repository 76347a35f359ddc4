package org.transformer4j.onnx;

import java.util.Objects;
import org.transformer4j.generate.DecodingSession;
import org.transformer4j.generate.Sessions;
import org.transformer4j.generate.TargetGenerator;

/**
 * Generates targets (translations) with an exported encoder-decoder on ONNX Runtime: a {@link TargetGenerator}, so
 * greedy and sampled decoding and beam search are the API's own loops, the same as
 * {@link org.transformer4j.generate.Seq2SeqGenerator} runs with the {@link org.transformer4j.nn.Ops} composition;
 * only the {@link #session sessions} run ONNX Runtime (the encoder once, then the decoder one token at a time
 * against an {@link OnnxKvCache}). Thread-safe: each call has its own cache.
 */
public final class OnnxSeq2SeqGenerator implements TargetGenerator {
    private final OnnxSeq2SeqModel model;
    private final int bos;
    private final int eos;

    /** A generator starting targets with {@code bosId} and ending them at {@code eosId}. */
    public OnnxSeq2SeqGenerator(OnnxSeq2SeqModel model, int bosId, int eosId) {
        this.model = Objects.requireNonNull(model, "model");
        this.bos = Sessions.checkId(bosId, model.config().vocabSize(), "BOS");
        this.eos = Sessions.checkId(eosId, model.config().vocabSize(), "EOS");
    }

    /** The model this generator runs. */
    public OnnxSeq2SeqModel model() {
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

    @Override
    public DecodingSession session(int[] source, boolean cropSource) {
        int[] fitted = Sessions.checkTokens(source, model.config().vocabSize(), model.config().contextLength(),
                cropSource, "the source");
        return new OnnxSeq2SeqSession(model, fitted, bos);
    }
}
