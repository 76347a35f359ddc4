package org.transformer4j.generate;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * An encoder-decoder that generates a target for a source (translation): {@link Seq2SeqGenerator} over any
 * {@link Seq2SeqRuntime}. An implementation only opens {@link DecodingSession}s (encode the source, decode from BOS); greedy and
 * sampled decoding ({@link SamplingSearch}) and beam search ({@link BeamSearch}) are written once on top.
 *
 * <p>Targets start at {@link #bosId()} and end at {@link #eosId()}; decoding does not slide a window, so a target
 * is at most the context length.
 */
public interface TargetGenerator {

    /**
     * The id every target starts with.
     *
     * @return the BOS id
     */
    int bosId();

    /**
     * The id that ends a target.
     *
     * @return the EOS id
     */
    int eosId();

    /**
     * A decoding session for {@code source} (checked: not empty, ids in the vocabulary, at most the context length
     * unless {@code cropSource}, which keeps the last tokens): {@link DecodingSession#start()} encodes the source
     * and decodes BOS. Close it.
     *
     * @param source the source's token ids
     * @param cropSource keep the last tokens of a too-long source instead of refusing it
     * @return the session
     */
    DecodingSession session(int[] source, boolean cropSource);

    /**
     * Greedy or sampled target for {@code source}; {@code onToken} sees each token as it is chosen (not the final
     * EOS or stop token) and may return false to stop.
     *
     * @param source the source's token ids
     * @param options sampling, length and stop settings
     * @param onToken sees each new token; false stops
     * @return the target tokens, without BOS and without the EOS or stop token that ended them
     * @throws IllegalArgumentException if {@code maxNewTokens} exceeds the decoder's context length
     */
    default int[] generate(int[] source, GenerationOptions options, IntPredicate onToken) {
        java.util.Objects.requireNonNull(onToken, "onToken");
        Set<Integer> ends = new HashSet<>(options.stopTokens());
        ends.add(eosId());
        try (DecodingSession session = session(source, options.cropPrompt())) {
            int[] out = SamplingSearch.generate(session, options.withStopTokens(ends),
                    token -> ends.contains(token) || onToken.test(token));
            boolean ended = out.length > 0 && ends.contains(out[out.length - 1]);
            return ended ? java.util.Arrays.copyOf(out, out.length - 1) : out;
        }
    }

    /**
     * Greedy or sampled target for {@code source}, without a callback.
     *
     * @param source the source's token ids
     * @param options sampling, length and stop settings
     * @return the target's token ids
     */
    default int[] generate(int[] source, GenerationOptions options) {
        return generate(source, options, t -> true);
    }

    /**
     * Beam search for {@code source} (see {@link BeamSearch}); {@link #eosId()} ends hypotheses, in addition to
     * {@code options.eosTokens()}.
     *
     * @param source the source's token ids
     * @param options width, length penalty, limits, n-best and end tokens
     * @return up to {@code nBest} hypotheses, best first
     */
    default List<Hypothesis> beamSearch(int[] source, BeamSearchOptions options) {
        Set<Integer> eosIds = new HashSet<>(options.eosTokens());
        eosIds.add(eosId());
        BeamSearchOptions withEos = new BeamSearchOptions(options.width(), options.lengthPenalty(),
                options.maxNewTokens(), options.nBest(), eosIds);
        try (DecodingSession session = session(source, false)) {
            return BeamSearch.search(session, withEos);
        }
    }
}
