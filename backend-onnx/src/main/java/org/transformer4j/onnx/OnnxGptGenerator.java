package org.transformer4j.onnx;

import java.util.List;
import java.util.Objects;
import org.transformer4j.generate.BatchTokenListener;
import org.transformer4j.generate.DecodingSession;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptBatchRun;
import org.transformer4j.generate.Sessions;
import org.transformer4j.generate.TokenGenerator;

/**
 * Generates with an exported GPT on ONNX Runtime: a {@link TokenGenerator}, so greedy and sampled generation
 * (sliding the window past the context), beam search and {@link org.transformer4j.generate.TextGenerator} (text,
 * stop strings) are the API's own loops, the same as {@link org.transformer4j.generate.GptGenerator} runs with the
 * {@link org.transformer4j.nn.Ops} composition; only the {@link #session sessions} run ONNX Runtime (the prompt
 * once, then each new token against an {@link OnnxKvCache}). Greedy decoding and seeded sampling thus give the
 * CPU path's tokens (up to float rounding between the two runtimes). Several prompts of different lengths
 * {@link #generate(List, List, BatchTokenListener) run as one batch}: left-padded, each row at its own
 * {@code position_ids} with its padding masked, through the API's {@link GptBatchRun}, so each row gives the tokens
 * its prompt gives alone. Thread-safe: each call has its own cache.
 *
 * <p>Needs a {@code model.onnx} of format 2 (with the {@code position_ids} input); {@link OnnxModel#open} refuses
 * older GPT files with a message to export them again.
 */
public final class OnnxGptGenerator implements TokenGenerator {
    private final OnnxModel model;

    /** A generator running {@code model}. */
    public OnnxGptGenerator(OnnxModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /** The model this generator runs. */
    public OnnxModel model() {
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
     * Continues several prompts of any lengths as one left-padded batch (see {@link GptBatchRun}): prompt {@code i}
     * is decoded with {@code options.get(i)} and gives, token for token, what it gives alone.
     *
     * @return the new tokens of each prompt, in prompt order
     */
    @Override
    public List<int[]> generate(List<int[]> prompts, List<GenerationOptions> options, BatchTokenListener listener) {
        return GptBatchRun.run(new OnnxBatchDecoder(model), vocabSize(), contextLength(), prompts, options, listener);
    }

    /**
     * A decoding session continuing {@code prompt} (checked: not empty, ids in the vocabulary, at most the context
     * length unless {@code cropPrompt}), for the API's search strategies. Close it.
     */
    @Override
    public DecodingSession session(int[] prompt, boolean cropPrompt) {
        return new OnnxGptSession(model, Sessions.checkTokens(prompt, vocabSize(), contextLength(), cropPrompt,
                "the prompt"));
    }
}
