package org.transformer4j.generate;

import java.util.List;
import java.util.Objects;
import java.util.function.IntPredicate;
import org.transformer4j.backend.Engine;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;

/**
 * Generates text with a GPT on any inference backend, incrementally: the prompt runs once, then each new
 * token runs alone against the key/value cache. When the window fills up, the cache is rebuilt from the
 * most recent half-window of tokens (so generation can go on past the context length).
 *
 * <p>Three ways to decode: {@link #generate(int[], GenerationOptions, IntPredicate) one prompt} (greedy or
 * sampling), {@link #generate(List, List, BatchTokenListener) several prompts as one batch} (left-padded, each row
 * with its own positions, options and seed; the result equals generating each prompt alone), and
 * {@link #beamSearch beam search}. A prompt longer than the context is refused unless
 * {@link GenerationOptions#cropPrompt()} keeps its last tokens; an empty prompt or an id outside the vocabulary is
 * refused. Token-level only: see {@link TextGenerator} for text and stop strings.
 *
 * <p>One prompt and beam search run the backend-neutral loops ({@link SamplingSearch}, {@link BeamSearch}) over
 * this generator's {@link #session sessions}, as every {@link TokenGenerator} does.
 */
public final class GptGenerator implements TokenGenerator {
    private final GptModel model;
    private final Ops ops;
    private final Parameters weights;

    /** A generator running {@code model} with {@code weights} on {@code engine}'s inference ops. */
    public GptGenerator(GptModel model, Engine engine, Parameters weights) {
        this(model, engine.inferenceOps(), weights);
    }

    /** A generator running {@code model} with {@code weights} on {@code ops} (which must be inference ops). */
    public GptGenerator(GptModel model, Ops ops, Parameters weights) {
        this.model = Objects.requireNonNull(model, "model");
        this.ops = Objects.requireNonNull(ops, "ops");
        this.weights = Objects.requireNonNull(weights, "weights");
    }

    /** The model this generator runs. */
    public GptModel model() {
        return model;
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public int contextLength() {
        return model.config().contextLength();
    }

    /**
     * Continues {@code prompt} ({@link SamplingSearch}); {@code onToken} sees each new token as it is chosen and may
     * return false to stop. Generation also stops after {@code maxNewTokens} or at a stop token (which is included in
     * the result).
     *
     * @return the new tokens (without the prompt)
     */
    @Override
    public int[] generate(int[] prompt, GenerationOptions options, IntPredicate onToken) {
        return SamplingSearch.generate(this, prompt, options, onToken);
    }

    /**
     * Continues several prompts of any lengths as one batch. Prompt {@code i} is decoded with {@code options.get(i)}
     * (its own token limit, sampling settings, seed and stop tokens) and gives, token for token, what
     * {@link #generate(int[], GenerationOptions, IntPredicate)} gives for it alone; rows that finish leave the
     * batch.
     *
     * @return the new tokens of each prompt, in prompt order
     */
    @Override
    public List<int[]> generate(List<int[]> prompts, List<GenerationOptions> options, BatchTokenListener listener) {
        return GptBatchRun.run(new OpsBatchDecoder(model, ops, weights), vocabSize(), contextLength(), prompts,
                options, listener);
    }

    /**
     * A decoding session continuing {@code prompt} (checked: not empty, ids in the vocabulary, at most the context
     * length unless {@code cropPrompt}), for custom search strategies. Close it.
     */
    @Override
    public DecodingSession session(int[] prompt, boolean cropPrompt) {
        int[] fitted = Sessions.checkTokens(prompt, model.config().vocabSize(), model.config().contextLength(),
                cropPrompt, "the prompt");
        return new GptDecodingSession(model, ops, weights, fitted);
    }
}
