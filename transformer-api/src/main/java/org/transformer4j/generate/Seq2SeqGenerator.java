package org.transformer4j.generate;

import java.util.Objects;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;

/**
 * Generates the target of an encoder-decoder (translation) on any {@link Seq2SeqRuntime}, incrementally: the source
 * is encoded once, then the decoder starts from the BOS id and runs one token at a time against the runtime's cache.
 * Stops at the EOS id, at a stop token of the options, after {@code maxNewTokens} or when the callback says so.
 * Greedy, sampling ({@link #generate}) or beam search ({@link #beamSearch}): the backend-neutral loops of
 * {@link TargetGenerator} over this generator's {@link #session sessions}.
 *
 * <p>The source must fit the context ({@link GenerationOptions#cropPrompt()} keeps its last tokens otherwise) and
 * the target can be at most the context length: decoding does not slide a window.
 */
public final class Seq2SeqGenerator implements TargetGenerator {
    private final Seq2SeqRuntime runtime;
    private final int bos;
    private final int eos;

    /**
     * A generator on {@code runtime}, starting targets with {@code bosId} and ending them at {@code eosId}.
     *
     * @param runtime the runtime
     * @param bosId the id every target starts with
     * @param eosId the id that ends a target
     */
    public Seq2SeqGenerator(Seq2SeqRuntime runtime, int bosId, int eosId) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.bos = Sessions.checkId(bosId, runtime.vocabSize(), "BOS");
        this.eos = Sessions.checkId(eosId, runtime.vocabSize(), "EOS");
    }

    /**
     * A generator on {@code ops} (inference ops), starting targets with {@code bosId} and ending them at {@code eosId}.
     *
     * @param model the encoder-decoder
     * @param ops inference ops
     * @param weights the loaded weights
     * @param bosId the id every target starts with
     * @param eosId the id that ends a target
     */
    public Seq2SeqGenerator(Seq2SeqModel model, Ops ops, Parameters weights, int bosId, int eosId) {
        this(new OpsSeq2SeqRuntime(model, ops, weights), bosId, eosId);
    }

    /**
     * The runtime this generator runs on.
     *
     * @return the runtime
     */
    public Seq2SeqRuntime runtime() {
        return runtime;
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
        int[] fitted = Sessions.checkTokens(source, runtime.vocabSize(), runtime.contextLength(), cropSource,
                "the source");
        return new Session(runtime, fitted, bos);
    }

    /** {@link #start()} encodes the source and decodes BOS; each step decodes one token per row. */
    private static final class Session implements DecodingSession {
        private final Seq2SeqRuntime runtime;
        private final int[] source;
        private final int bos;
        private Seq2SeqCache cache;

        Session(Seq2SeqRuntime runtime, int[] source, int bos) {
            this.runtime = runtime;
            this.source = source;
            this.bos = bos;
        }

        @Override
        public int vocabSize() {
            return runtime.vocabSize();
        }

        @Override
        public int maxNewTokens() {
            return runtime.contextLength();
        }

        @Override
        public float[] start() {
            if (cache != null) {
                throw new IllegalStateException("start() was already called on this decoding session");
            }
            cache = runtime.encode(new int[][] {source}, null);
            return runtime.decode(cache, new int[][] {{bos}}, true);
        }

        @Override
        public float[] step(int[] tokens) {
            if (cache == null) {
                throw new IllegalStateException("call start() before step()");
            }
            if (tokens.length != cache.rows()) {
                throw new IllegalArgumentException("step: " + tokens.length + " tokens given for a batch of "
                        + cache.rows() + " rows");
            }
            int[][] ids = new int[tokens.length][];
            for (int b = 0; b < tokens.length; b++) {
                ids[b] = new int[] {tokens[b]};
            }
            return runtime.decode(cache, ids, true);
        }

        @Override
        public void selectRows(int[] rows) {
            if (cache == null) {
                throw new IllegalStateException("call start() before selectRows()");
            }
            cache.selectRows(rows);
        }

        @Override
        public void close() {
            if (cache != null) {
                cache.close();
            }
        }
    }
}
