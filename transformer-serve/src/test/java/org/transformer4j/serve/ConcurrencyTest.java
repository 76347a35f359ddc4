package org.transformer4j.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.inference.LanguageModel;

/**
 * Many concurrent streaming clients against one server on a real tiny model (backend-cpu): every request is answered
 * exactly once, each stream is complete and well-formed, greedy outputs equal the same prompts generated one at a
 * time by the library, and requests really shared decode steps. Then a graceful shutdown with requests in flight:
 * all of them complete (and on a machine so loaded that one finished before all eight were decoding, those not yet
 * admitted are refused with {@code shutting_down}, the rest complete).
 */
class ConcurrencyTest {
    private static final String[] PROMPTS = {"ROMEO:", "what light", "JULIET!", "\n", "yonder window breaks?",
        "User: hi", "th", "Assistant"};

    private static String body(String prompt, int max, boolean stream) throws Exception {
        return Http.JSON.writeValueAsString(java.util.Map.of("model", "tiny", "prompt", prompt, "max_tokens", max,
                "temperature", 0, "stream", stream));
    }

    /** Checks one SSE answer and returns its text. */
    private static String streamedText(Http.Answer a) throws Exception {
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.response().headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        List<String> events = a.events();
        assertThat(events).isNotEmpty();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        String id = null;
        int finishes = 0;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = Http.JSON.readTree(e);
            assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
            id = id == null ? chunk.get("id").asText() : id;
            assertThat(chunk.get("id").asText()).isEqualTo(id);
            JsonNode choice = chunk.get("choices").get(0);
            text.append(choice.get("text").asText());
            if (!choice.get("finish_reason").isNull()) {
                finishes++;
            }
        }
        assertThat(finishes).isEqualTo(1);
        return text.toString();
    }

    @Test
    void thirtyTwoStreamsEqualSequentialAndShutdownFinishesInFlight(@TempDir Path tmp) throws Exception {
        Path dir = TinyModels.writeGptDirectory(tmp.resolve("tiny"), 64);
        try (LanguageModel lm = LanguageModel.builder(dir).backend("cpu").threads(1).open()) {
            int clients = 32;
            String[] expected = new String[clients];
            for (int i = 0; i < clients; i++) {
                expected[i] = lm.generate(PROMPTS[i % PROMPTS.length], new GenerationOptions(10 + i % 7, 0f, 0, 1f, 0,
                        Set.of(), List.of(), false)).text();
            }
            OpenAiServer server = OpenAiServer.builder(lm).port(0).maxBatch(16).maxQueue(64).start();
            Http http = new Http(server.port());
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    String b = body(PROMPTS[i % PROMPTS.length], 10 + i % 7, true);
                    answers.add(pool.submit(() -> streamedText(http.post("/v1/completions", b))));
                }
                for (int i = 0; i < clients; i++) {
                    assertThat(answers.get(i).get()).as("client %d", i).isEqualTo(expected[i]);
                }
            }
            String metrics = http.get("/metrics").body();
            assertThat(metrics).contains("transformer4j_requests_total{endpoint=\"/v1/completions\",status=\"200\"} 32");
            long steps = metricValue(metrics, "transformer4j_batch_size_count");
            long rows = metricValue(metrics, "transformer4j_batch_size_sum");
            assertThat(rows).as("rows per decode step on average > 1: requests shared steps").isGreaterThan(steps);

            // graceful shutdown: requests in flight all complete, ones that arrive after it began are refused
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Http.Answer>> inFlight = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String b = body(PROMPTS[i], 40, i % 2 == 0);
                    inFlight.add(pool.submit(() -> http.post("/v1/completions", b)));
                }
                // until all eight are decoding, or (on a loaded machine) the first has already finished: the loop
                // must not wait for a state that can no longer come
                boolean allDecoding;
                while (!(allDecoding = metricValue(http.get("/metrics").body(), "transformer4j_batch_rows") >= 8)
                        && inFlight.stream().noneMatch(Future::isDone)) {
                    Thread.onSpinWait();
                }
                Thread closer = Thread.ofVirtual().start(server::close);
                int completed = 0;
                for (int i = 0; i < 8; i++) {
                    Http.Answer a = inFlight.get(i).get();
                    if (!allDecoding && a.status() == 503) {
                        // not yet admitted when the shutdown began (possible only when the loop above ended early)
                        assertThat(a.json().at("/error/code").asText()).as(a.body()).isEqualTo("shutting_down");
                        continue;
                    }
                    assertThat(a.status()).as(a.body()).isEqualTo(200);
                    completed++;
                    if (i % 2 == 0) {
                        assertThat(a.events().getLast()).isEqualTo("[DONE]");
                    } else {
                        assertThat(a.json().at("/usage/completion_tokens").asInt()).isEqualTo(40);
                    }
                }
                assertThat(completed).as("requests in flight when the shutdown began complete").isGreaterThan(0);
                closer.join();
            }
        }
    }

    private static long metricValue(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no metric " + name + " in\n" + metrics);
    }
}
