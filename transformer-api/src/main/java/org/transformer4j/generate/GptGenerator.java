package org.transformer4j.generate;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntPredicate;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;

/**
 * Generates with a GPT on any {@link GptRuntime} (the {@link Ops} composition of a training backend through
 * {@link OpsGptRuntime}, or an exported graph on ONNX Runtime), incrementally: the prompt runs once, then each new
 * token runs alone against the key/value cache. When the window fills up, the cache is rebuilt from the most recent
 * half-window of tokens (so generation can go on past the context length).
 *
 * <p>Three ways to decode: {@link #generate(int[], GenerationOptions, IntPredicate) one prompt} (greedy or
 * sampling), {@link #generate(List, List, BatchTokenListener) several prompts as one batch} (left-padded, each row
 * with its own positions, options and seed; the result equals generating each prompt alone), and
 * {@link #beamSearch beam search}. A prompt longer than the context is refused unless
 * {@link GenerationOptions#cropPrompt()} keeps its last tokens; an empty prompt or an id outside the vocabulary is
 * refused. Token-level only: see {@link TextGenerator} for text and stop strings. Thread-safe when the runtime is:
 * every call has its own cache.
 */
public final class GptGenerator implements TokenGenerator {
    private final GptRuntime runtime;

    /**
     * A generator on {@code runtime}.
     *
     * @param runtime the runtime
     */
    public GptGenerator(GptRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    /**
     * A generator running {@code model} with {@code weights} on {@code ops} (which must be inference ops).
     *
     * @param model the GPT
     * @param ops inference ops
     * @param weights the loaded weights
     */
    public GptGenerator(GptModel model, Ops ops, Parameters weights) {
        this(new OpsGptRuntime(model, ops, weights));
    }

    /**
     * The runtime this generator runs on.
     *
     * @return the runtime
     */
    public GptRuntime runtime() {
        return runtime;
    }

    @Override
    public int vocabSize() {
        return runtime.vocabSize();
    }

    @Override
    public int contextLength() {
        return runtime.contextLength();
    }

    /**
     * Continues several prompts of any lengths as one batch ({@link GptBatchRun}). Prompt {@code i} is decoded with
     * {@code options.get(i)} (its own token limit, sampling settings, seed and stop tokens) and gives, token for
     * token, what {@link #generate(int[], GenerationOptions, IntPredicate)} gives for it alone; rows that finish
     * leave the batch.
     *
     * @return the new tokens of each prompt, in prompt order
     */
    @Override
    public List<int[]> generate(List<int[]> prompts, List<GenerationOptions> options, BatchTokenListener listener) {
        return GptBatchRun.run(runtime, prompts, options, listener);
    }

    /**
     * A decoding session continuing {@code prompt} (checked: not empty, ids in the vocabulary, at most the context
     * length unless {@code cropPrompt}), for custom search strategies. Close it.
     */
    @Override
    public DecodingSession session(int[] prompt, boolean cropPrompt) {
        int[] fitted = Sessions.checkTokens(prompt, vocabSize(), contextLength(), cropPrompt, "the prompt");
        return new Session(runtime, fitted);
    }

    /** A {@link DecodingSession} over one runtime cache: the prompt as one row, then one token per row. */
    private static final class Session implements DecodingSession {
        private final GptRuntime runtime;
        private final int[] prompt;
        private final GptCache cache;
        private boolean started;

        Session(GptRuntime runtime, int[] prompt) {
            this.runtime = runtime;
            this.prompt = prompt;
            this.cache = runtime.newCache(1);
        }

        @Override
        public int vocabSize() {
            return runtime.vocabSize();
        }

        @Override
        public int maxNewTokens() {
            return runtime.contextLength() - prompt.length + 1;
        }

        @Override
        public float[] start() {
            if (started) {
                throw new IllegalStateException("start() was already called on this decoding session");
            }
            started = true;
            return runtime.forward(cache, new int[][] {prompt}, new int[][] {positions(0, prompt.length)}, null, true);
        }

        @Override
        public float[] step(int[] tokens) {
            if (!started) {
                throw new IllegalStateException("call start() before step()");
            }
            if (tokens.length != cache.rows()) {
                throw new IllegalArgumentException("step: " + tokens.length + " tokens given for a batch of "
                        + cache.rows() + " rows");
            }
            int[][] ids = new int[tokens.length][];
            int[][] positions = new int[tokens.length][];
            for (int b = 0; b < tokens.length; b++) {
                ids[b] = new int[] {tokens[b]};
                positions[b] = new int[] {cache.length()};
            }
            return runtime.forward(cache, ids, positions, null, true);
        }

        private static int[] positions(int from, int count) {
            int[] p = new int[count];
            Arrays.setAll(p, i -> from + i);
            return p;
        }

        @Override
        public void selectRows(int[] rows) {
            cache.selectRows(rows);
        }

        @Override
        public void close() {
            cache.close();
        }
    }
}
