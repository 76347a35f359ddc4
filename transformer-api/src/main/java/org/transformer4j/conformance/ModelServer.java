package org.transformer4j.conformance;

import java.io.IOException;
import java.util.Map;
import org.transformer4j.generate.TargetGenerator;
import org.transformer4j.generate.TokenGenerator;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.tensor.HostTensor;

/**
 * The hook by which the conformance kit checks a backend that serves whole exported models instead of running the
 * {@link org.transformer4j.nn.Ops} composition (ONNX Runtime). Such a backend's {@link org.transformer4j.backend.Engine}
 * also implements this interface; given such an engine as candidate, the kit builds the model of each whole-model,
 * generation and bad-input case from the case's config and weights with {@link #serve(GptConfig, Map)} or
 * {@link #serve(Seq2SeqConfig, Map)} (the ONNX engine exports them to a temporary directory and opens the files,
 * so the cases check the exported graphs and the serving code users run) instead of through
 * {@code Engine.inferenceOps()} and {@code Engine.load}. Cases that need the ops (the op-level ones), the loss or
 * training report {@link CaseStatus#NOT_SUPPORTED} with the engine's reason.
 *
 * <p>Arrays are row-major {@code [rows][columns]}; masks hold 1 for a real token and 0 for padding. Every served
 * model refuses bad input (an id outside the vocabulary, a sequence longer than the context, no tokens) with an
 * {@link IllegalArgumentException} naming it, as the ops backends do.
 */
public interface ModelServer {

    /** Serves a GPT with {@code weights} (checkpoint names); close it to free it. */
    ServedGpt serve(GptConfig config, Map<String, HostTensor> weights) throws IOException;

    /** Serves an encoder-decoder with {@code weights} (checkpoint names); close it to free it. */
    ServedSeq2Seq serve(Seq2SeqConfig config, Map<String, HostTensor> weights) throws IOException;

    /** A served GPT. */
    interface ServedGpt extends AutoCloseable {
        /**
         * Logits {@code [B, T, V]} of ids {@code [B, T]}.
         *
         * @param positionIds {@code [B, T]}, or null for {@code 0 .. T-1} in every row
         * @param mask        {@code [B, T]}, or null for no padding
         */
        HostTensor logits(int[][] ids, int[][] positionIds, int[][] mask);

        /** An empty key/value cache for {@code batch} rows, fed a few tokens at a time. */
        Incremental incremental(int batch);

        /** Generation (greedy, sampling, batches of prompts, beam search) on this model. */
        TokenGenerator generator();

        @Override
        void close();
    }

    /** A served encoder-decoder. */
    interface ServedSeq2Seq extends AutoCloseable {
        /** The encoder output {@code [B, S, C]} of sources {@code [B, S]}; {@code srcMask} null for no padding. */
        HostTensor encode(int[][] srcIds, int[][] srcMask);

        /** Decoder logits {@code [B, T, V]} of targets {@code [B, T]} from position 0 given the encoder output. */
        HostTensor decode(int[][] tgtIds, HostTensor memory, int[][] srcMask);

        /** An empty self-attention cache for decoding a batch against {@code memory}, a few tokens at a time. */
        Incremental incremental(HostTensor memory, int[][] srcMask);

        /** Generation (greedy, sampling, beam search) from {@code bos} until {@code eos}. */
        TargetGenerator generator(int bos, int eos);

        @Override
        void close();
    }

    /** A key/value cache being filled: each call runs the next tokens of every row after the cached ones. */
    interface Incremental extends AutoCloseable {
        /** Logits {@code [B, T, V]} of the next ids {@code [B, T]}; the cache grows by T. */
        HostTensor next(int[][] ids);

        @Override
        void close();
    }
}
