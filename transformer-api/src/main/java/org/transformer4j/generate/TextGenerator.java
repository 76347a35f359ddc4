package org.transformer4j.generate;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * Text in, text out over a {@link TokenGenerator} (a GPT on any runtime) or a {@link Seq2SeqGenerator} (the prompt
 * is the source, the output the target) and a tokenizer: encodes the prompt, streams the continuation as
 * text pieces, and stops when the text contains one of {@link GenerationOptions#stopStrings()}, which is trimmed
 * from the result and never streamed (see {@link StopStringStream}). A stop token (e.g. EOS) ends generation
 * without showing up in the text.
 */
public final class TextGenerator {
    /** The token loop under the text: (prompt ids, options, per-token callback) to new ids. */
    private interface Continuation {
        int[] generate(int[] prompt, GenerationOptions options, IntPredicate onToken);
    }

    private final Continuation generator;
    private final Tokenizer tokenizer;

    /**
     * Generates with {@code generator}, encoding and decoding with {@code tokenizer}.
     *
     * @param generator the token generator
     * @param tokenizer the model's tokenizer
     */
    public TextGenerator(TokenGenerator generator, Tokenizer tokenizer) {
        this(Objects.requireNonNull(generator, "generator")::generate, generator.vocabSize(), tokenizer);
    }

    /**
     * Translates with {@code generator}: the prompt is the source, the result the target (without BOS and EOS).
     *
     * @param generator the encoder-decoder's generator
     * @param tokenizer the model's tokenizer
     */
    public TextGenerator(Seq2SeqGenerator generator, Tokenizer tokenizer) {
        this(Objects.requireNonNull(generator, "generator")::generate, generator.runtime().vocabSize(), tokenizer);
    }

    private TextGenerator(Continuation generator, int vocab, Tokenizer tokenizer) {
        this.generator = generator;
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (tokenizer.vocabSize() > vocab) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " ids but the model's vocabulary is " + vocab + "; use the tokenizer the model was trained with");
        }
    }

    /**
     * Continues {@code prompt}; {@code onText} receives the new text piece by piece as it becomes final.
     *
     * @param prompt the text to continue
     * @param options sampling, length and stop settings
     * @param onText receives each decoded piece as it is generated
     * @return the continuation (without the prompt), trimmed before the stop string
     */
    public GeneratedText generate(String prompt, GenerationOptions options, Consumer<String> onText) {
        Objects.requireNonNull(onText, "onText");
        StopStringStream stream = new StopStringStream(tokenizer, options.stopStrings());
        int[] tokens = generator.generate(tokenizer.encode(prompt), options, token -> {
            if (options.stopTokens().contains(token)) {
                return false;
            }
            String piece = stream.push(token);
            if (!piece.isEmpty()) {
                onText.accept(piece);
            }
            return !stream.stopped();
        });
        String rest = stream.finish();
        if (!rest.isEmpty()) {
            onText.accept(rest);
        }
        return new GeneratedText(stream.text(), tokens, stream.matchedStop());
    }

    /**
     * Continues {@code prompt} without streaming.
     *
     * @param prompt the text to continue
     * @param options sampling, length and stop settings
     * @return the continuation, trimmed before the stop string
     */
    public GeneratedText generate(String prompt, GenerationOptions options) {
        return generate(prompt, options, piece -> { });
    }
}
