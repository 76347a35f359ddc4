package org.transformer4j.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.tokenizer.CharTokenizer;

/**
 * A model whose vocabulary is larger than its tokenizer's (an embedding padded beyond the tokenizer, as Qwen2's):
 * the server never samples an id the tokenizer cannot decode, streamed or not, greedy or sampled.
 */
class PaddedVocabularyTest {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzUA :.\n";

    @Test
    void idsBeyondTheTokenizerAreNeverSampled() {
        CharTokenizer tokenizer = CharTokenizer.fromText(ALPHABET);
        ToyRuntime runtime = new ToyRuntime(tokenizer.vocabSize() * 3, 64);
        // the runtime alone picks ids the tokenizer does not have: what used to fail inside the server's stream
        int[] raw = new GptGenerator(runtime).generate(tokenizer.encode("to be"), GenerationOptions.greedy(20), t -> true);
        assertThat(java.util.Arrays.stream(raw).max().orElseThrow()).isGreaterThanOrEqualTo(tokenizer.vocabSize());

        try (OpenAiServer server = OpenAiServer.builder(runtime, tokenizer).modelName("toy").port(0).start()) {
            Http http = new Http(server.port());
            List<String> bodies = new ArrayList<>();
            bodies.add("{\"model\":\"toy\",\"prompt\":\"to be\",\"max_tokens\":20,\"temperature\":0}");
            bodies.add("{\"model\":\"toy\",\"prompt\":\"to be\",\"max_tokens\":20,\"temperature\":2,\"n\":4,\"seed\":3,"
                    + "\"logprobs\":5}");
            for (String body : bodies) {
                Http.Answer a = http.post("/v1/completions", body);
                assertThat(a.status()).as(a.body()).isEqualTo(200);
                assertThat(a.json().at("/usage/completion_tokens").asInt()).isGreaterThanOrEqualTo(20);
                a.json().get("choices").forEach(c -> assertThat(c.get("text").asText()).hasSize(20)
                        .matches("[" + ALPHABET.replace("\n", "\\n") + "]*"));
            }
            Http.Answer streamed = http.post("/v1/chat/completions", "{\"model\":\"toy\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"hi\"}],\"max_tokens\":20,\"temperature\":0,\"stream\":true}");
            assertThat(streamed.status()).as(streamed.body()).isEqualTo(200);
            assertThat(streamed.body()).contains("[DONE]").doesNotContain("\"error\"");
        }
    }
}
