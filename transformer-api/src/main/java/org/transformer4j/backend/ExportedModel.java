package org.transformer4j.backend;

import java.util.Optional;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.generate.Seq2SeqRuntime;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * An exported model opened by a {@link ServingEngine}: its config (read from the files), the tokenizer stored with
 * it, and its runtime, a {@link GptRuntime} for a GPT or a {@link Seq2SeqRuntime} for an encoder-decoder (exactly one
 * is present). Close it to free the native sessions.
 */
public interface ExportedModel extends AutoCloseable {

    /**
     * The architecture, as stored in the exported files.
     *
     * @return the config: a GPT's or an encoder-decoder's
     */
    ModelConfig config();

    /**
     * The tokenizer stored with the graph, if it was exported with one.
     *
     * @return the tokenizer, or empty
     */
    Optional<Tokenizer> tokenizer();

    /**
     * The runtime of a GPT; empty for an encoder-decoder.
     *
     * @return the GPT runtime, or empty
     */
    Optional<GptRuntime> gpt();

    /**
     * The runtime of an encoder-decoder; empty for a GPT.
     *
     * @return the encoder-decoder runtime, or empty
     */
    Optional<Seq2SeqRuntime> seq2seq();

    @Override
    void close();
}
