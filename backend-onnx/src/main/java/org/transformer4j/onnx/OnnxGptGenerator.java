package org.transformer4j.onnx;

import java.util.Objects;
import org.transformer4j.generate.DecodingSession;
import org.transformer4j.generate.Sessions;
import org.transformer4j.generate.TokenGenerator;

/**
 * Generates with an exported GPT on ONNX Runtime: a {@link TokenGenerator}, so greedy and sampled generation
 * (sliding the window past the context), beam search and {@link org.transformer4j.generate.TextGenerator} (text,
 * stop strings) are the API's own loops, the same as {@link org.transformer4j.generate.GptGenerator} runs with the
 * {@link org.transformer4j.nn.Ops} composition; only the {@link #session sessions} run ONNX Runtime (the prompt
 * once, then each new token against an {@link OnnxKvCache}). Greedy decoding and seeded sampling thus give the
 * CPU path's tokens (up to float rounding between the two runtimes). Thread-safe: each call has its own cache.
 */
public final class OnnxGptGenerator implements TokenGenerator {
    private final OnnxModel model;

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
     * A decoding session continuing {@code prompt} (checked: not empty, ids in the vocabulary, at most the context
     * length unless {@code cropPrompt}), for the API's search strategies. Close it.
     */
    @Override
    public DecodingSession session(int[] prompt, boolean cropPrompt) {
        return new OnnxGptSession(model, Sessions.checkTokens(prompt, vocabSize(), contextLength(), cropPrompt,
                "the prompt"));
    }
}
