package org.transformer4j.serve;

import java.util.Set;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * What one server serves: the model's public id (the {@code model} field of requests and of {@code /v1/models}),
 * its runtime and tokenizer, its chat template, and the tokens that end a reply (end-of-sequence).
 */
record ServedModel(String id, GptRuntime runtime, Tokenizer tokenizer, ChatTemplate chatTemplate,
                   Set<Integer> stopTokens) {

    int contextLength() {
        return runtime.contextLength();
    }

    int vocabSize() {
        return runtime.vocabSize();
    }
}
