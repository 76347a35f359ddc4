package org.transformer4j.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.transformer4j.tokenizer.CharTokenizer;

/**
 * The bad-input catalogue: each bad request gets a 4xx with OpenAI's error object (no stack trace), and the request
 * after it is served normally.
 */
class BadInputTest {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ:.,!?\n";
    private static final int CONTEXT = 64;
    private static OpenAiServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        CharTokenizer tokenizer = CharTokenizer.fromText(ALPHABET);
        server = OpenAiServer.builder(new ToyRuntime(tokenizer.vocabSize(), CONTEXT), tokenizer).modelName("toy")
                .port(0).maxBodyBytes(4096).readTimeout(Duration.ofMillis(500)).start();
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void nextRequestIsServed() {
        Http.Answer ok = http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"ROMEO:\",\"max_tokens\":5,"
                + "\"temperature\":0}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().at("/usage/completion_tokens").asInt()).isEqualTo(5);
    }

    private static JsonNode error(Http.Answer a, int status) {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.response().headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        JsonNode e = a.json().get("error");
        assertThat(e).as(a.body()).isNotNull();
        assertThat(e.get("message").asText()).isNotBlank().doesNotContain("\tat ", "Exception:");
        assertThat(e.has("type")).isTrue();
        assertThat(e.has("param")).isTrue();
        assertThat(e.has("code")).isTrue();
        return e;
    }

    @Test
    void malformedJson() {
        JsonNode e = error(http.post("/v1/completions", "{\"model\": \"toy\", \"prompt\": "), 400);
        assertThat(e.get("code").asText()).isEqualTo("invalid_json");
        error(http.post("/v1/chat/completions", "[1, 2]"), 400);
        error(http.post("/v1/completions", ""), 400);
    }

    @Test
    void wrongTypes() {
        JsonNode e = error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"a\",\"max_tokens\":\"ten\"}"),
                400);
        assertThat(e.get("param").asText()).isEqualTo("max_tokens");
        assertThat(e.get("message").asText()).contains("must be an integer");
        assertThat(error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":{\"a\":1}}"), 400)
                .get("param").asText()).isEqualTo("prompt");
        assertThat(error(http.post("/v1/completions", "{\"model\":7,\"prompt\":\"a\"}"), 400)
                .get("param").asText()).isEqualTo("model");
        assertThat(error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"a\",\"stream\":\"yes\"}"),
                400).get("param").asText()).isEqualTo("stream");
        assertThat(error(http.post("/v1/chat/completions", "{\"model\":\"toy\",\"messages\":\"hi\"}"), 400)
                .get("param").asText()).isEqualTo("messages");
        assertThat(error(http.post("/v1/chat/completions", "{\"model\":\"toy\",\"messages\":[{\"role\":\"king\","
                + "\"content\":\"hi\"}]}"), 400).get("message").asText()).contains("'king'");
        assertThat(error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"a\",\"stop\":[1]}"), 400)
                .get("param").asText()).isEqualTo("stop");
        assertThat(error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"a\",\"n\":17}"), 400)
                .get("param").asText()).isEqualTo("n");
    }

    @Test
    void unknownFieldsOfAnyTypeAreIgnored() {
        Http.Answer a = http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"ab\",\"max_tokens\":2,"
                + "\"presence_penalty\":{\"nested\":[1,\"x\",null]},\"user\":42,\"x-unknown\":[[[]]]}");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
    }

    @Test
    void unknownModel() {
        JsonNode e = error(http.post("/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"a\"}"), 404);
        assertThat(e.get("code").asText()).isEqualTo("model_not_found");
        assertThat(e.get("message").asText()).contains("'gpt-4'").contains("'toy'");
        error(http.get("/v1/models/gpt-4"), 404);
        error(http.post("/v1/completions", "{\"prompt\":\"a\"}"), 400);
    }

    @Test
    void maxTokensZeroNegativeOrBeyondTheContext() {
        assertThat(error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"ab\",\"max_tokens\":0}"), 400)
                .get("param").asText()).isEqualTo("max_tokens");
        error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"ab\",\"max_tokens\":-3}"), 400);
        JsonNode e = error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"ab\",\"max_tokens\":63}"),
                400);
        assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(e.get("message").asText()).contains("at most 62");
        error(http.post("/v1/chat/completions", "{\"model\":\"toy\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hi\"}],\"max_completion_tokens\":100000}"), 400);
    }

    @Test
    void promptLongerThanTheContext() {
        JsonNode e = error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"" + "a".repeat(CONTEXT + 5)
                + "\"}"), 400);
        assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(e.get("param").asText()).isEqualTo("prompt");
    }

    @Test
    void temperatureBelowZero() {
        JsonNode e = error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"a\",\"temperature\":-0.5}"),
                400);
        assertThat(e.get("param").asText()).isEqualTo("temperature");
    }

    @Test
    void topPOutsideZeroToOne() {
        for (String p : new String[] {"0", "1.5", "-1"}) {
            JsonNode e = error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"a\",\"top_p\":" + p + "}"),
                    400);
            assertThat(e.get("param").asText()).isEqualTo("top_p");
        }
    }

    @Test
    void tokenIdsOutsideTheVocabulary() {
        JsonNode e = error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":[1,2,9999]}"), 400);
        assertThat(e.get("code").asText()).isEqualTo("invalid_token_id");
        assertThat(e.get("message").asText()).contains("9999");
        error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":[-1]}"), 400);
        error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":[1.5]}"), 400);
        error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"\u00e9\u00e9\"}"), 400); // not in alphabet
    }

    @Test
    void bodyOverTheSizeLimit() {
        JsonNode e = error(http.post("/v1/completions", "{\"model\":\"toy\",\"prompt\":\"" + "a".repeat(5000) + "\"}"),
                413);
        assertThat(e.get("code").asText()).isEqualTo("request_too_large");
    }

    @Test
    void invalidUtf8() {
        byte[] head = "{\"model\":\"toy\",\"prompt\":\"a".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + 4];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xC3; // a lead byte followed by no continuation byte
        body[head.length + 1] = (byte) 'x';
        body[head.length + 2] = '"';
        body[head.length + 3] = '}';
        assertThat(error(http.post("/v1/completions", body), 400).get("code").asText()).isEqualTo("invalid_utf8");
    }

    @Test
    void slowOrNeverFinishingBody() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 200\r\n\r\n{\"model\":\"toy\",").getBytes(StandardCharsets.US_ASCII));
            out.flush(); // and never the rest: the server's read timeout (500 ms here) answers 408
            String answer = readResponse(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(answer).contains("\"code\":\"request_timeout\"");
        }
    }

    /** One HTTP/1.1 response: status line and headers, then a body of its Content-Length. */
    private static String readResponse(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Test
    void unknownPathsAndMethods() {
        assertThat(error(http.get("/v1/nothing"), 404).get("code").asText()).isEqualTo("not_found");
        assertThat(error(http.get("/v1/completions"), 405).get("code").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void badChatMessages() {
        error(http.post("/v1/chat/completions", "{\"model\":\"toy\",\"messages\":[]}"), 400);
        error(http.post("/v1/chat/completions", "{\"model\":\"toy\",\"messages\":[{\"content\":\"hi\"}]}"), 400);
        error(http.post("/v1/chat/completions", "{\"model\":\"toy\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}"), 400);
    }
}
