package org.transformer4j.generate;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * Greedy or sampled decoding over any {@link DecodingSession} (any model, any runtime): the prefix runs once
 * ({@link DecodingSession#start()}), then each chosen token runs alone against the session's cache
 * ({@link DecodingSession#step}). Tokens are picked by {@link TokenSampler} as {@link GenerationOptions} say.
 * Generation stops after {@code maxNewTokens}, at a stop token (included in the result) or when the callback
 * returns false.
 *
 * <p>A session holds at most the model's context. {@link #generate(TokenGenerator, int[], GenerationOptions,
 * IntPredicate)} goes on past it: when the window is full it closes the session and opens a new one over the most
 * recent half-window of tokens (prompt and generated), as nanoGPT crops its input. {@link #generate(DecodingSession,
 * GenerationOptions, IntPredicate)} does not slide and refuses a {@code maxNewTokens} the session cannot hold.
 */
public final class SamplingSearch {
    private SamplingSearch() {
    }

    /**
     * Decodes from a freshly created {@code session} (this calls {@link DecodingSession#start()}); the caller closes
     * the session. Nothing is run when {@code maxNewTokens} is 0.
     *
     * @param session a fresh session
     * @param options sampling, length and stop settings
     * @param onToken sees each new token; false stops
     * @return the new tokens
     * @throws IllegalArgumentException if {@code options.maxNewTokens()} exceeds {@code session.maxNewTokens()}
     */
    public static int[] generate(DecodingSession session, GenerationOptions options, IntPredicate onToken) {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(onToken, "onToken");
        if (options.maxNewTokens() > session.maxNewTokens()) {
            throw new IllegalArgumentException("maxNewTokens " + options.maxNewTokens() + " exceeds the "
                    + session.maxNewTokens() + " tokens the model's context window leaves after this prefix; lower it"
                    + " (this decoding does not slide the window)");
        }
        return run(session, null, null, options, onToken);
    }

    /**
     * Continues {@code prompt} with sessions of {@code generator}, sliding the window: when a session is full, it is
     * closed and generation goes on in a new session over the last {@code max(1, contextLength / 2)} tokens. A prompt
     * longer than the context is refused unless {@link GenerationOptions#cropPrompt()}.
     *
     * @param generator the generator
     * @param prompt the prompt's token ids
     * @param options sampling, length and stop settings
     * @param onToken sees each new token; false stops
     * @return the new tokens (without the prompt)
     */
    public static int[] generate(TokenGenerator generator, int[] prompt, GenerationOptions options, IntPredicate onToken) {
        Objects.requireNonNull(generator, "generator");
        Objects.requireNonNull(onToken, "onToken");
        DecodingSession session = generator.session(prompt, options.cropPrompt()); // checks the prompt
        return run(session, generator, prompt, options, onToken);
    }

    /**
     * The decoding loop. With a {@code generator}, owns and closes the sessions and slides the window; without, stops
     * at the session's end (checked by the caller).
     */
    private static int[] run(DecodingSession first, TokenGenerator generator, int[] prompt, GenerationOptions options,
                             IntPredicate onToken) {
        int max = options.maxNewTokens();
        int[] out = new int[max];
        int produced = 0;
        DecodingSession session = first;
        try {
            if (max == 0) {
                return out;
            }
            int vocab = session.vocabSize();
            TokenSampler sampler = new TokenSampler(options);
            int[] history = prompt == null ? null : Arrays.copyOf(prompt, prompt.length + max);
            int length = prompt == null ? 0 : prompt.length;
            float[] logits = session.start();
            int room = session.maxNewTokens();
            while (true) {
                if (logits.length != vocab) {
                    throw new IllegalStateException("the decoding session returned " + logits.length
                            + " logits for one row of vocabulary " + vocab);
                }
                int next = sampler.next(logits, 0, vocab);
                out[produced++] = next;
                room--;
                if (history != null) {
                    history[length++] = next;
                }
                if (!onToken.test(next) || options.stopTokens().contains(next) || produced == max) {
                    break;
                }
                if (room > 0) {
                    logits = session.step(new int[] {next});
                } else if (generator != null) {
                    session.close();
                    session = null;
                    int keep = Math.max(1, generator.contextLength() / 2);
                    session = generator.session(Arrays.copyOfRange(history, length - keep, length), false);
                    logits = session.start();
                    room = session.maxNewTokens();
                } else {
                    break; // unreachable: the caller checked maxNewTokens against the session
                }
            }
        } finally {
            if (generator != null && session != null) {
                session.close();
            }
        }
        return Arrays.copyOf(out, produced);
    }
}
