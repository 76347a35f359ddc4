package org.transformer4j.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.transformer4j.tokenizer.CharTokenizer;

/** Start-up errors: a port that is taken is refused with a message naming it and the fix. */
class StartupTest {
    private static final CharTokenizer TOKENIZER = CharTokenizer.fromText("abcdefghijklmnopqrstuvwxyz :\n");

    @Test
    void aPortInUseIsAClearStartUpError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> OpenAiServer.builder(new ToyRuntime(TOKENIZER.vocabSize(), 32), TOKENIZER)
                    .host("127.0.0.1").port(port).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContainingAll("127.0.0.1:" + port, "another server using that port", "--port");
        }
    }

    @Test
    void aSecondServerOnTheSamePortFailsAndTheFirstGoesOnServing() {
        try (OpenAiServer first = OpenAiServer.builder(new ToyRuntime(TOKENIZER.vocabSize(), 32), TOKENIZER)
                .modelName("toy").port(0).start()) {
            assertThatThrownBy(() -> OpenAiServer.builder(new ToyRuntime(TOKENIZER.vocabSize(), 32), TOKENIZER)
                    .host(first.host()).port(first.port()).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(":" + first.port());
            Http.Answer ok = new Http(first.port()).post("/v1/completions",
                    "{\"model\":\"toy\",\"prompt\":\"ab\",\"max_tokens\":3,\"temperature\":0}");
            assertThat(ok.status()).as(ok.body()).isEqualTo(200);
            assertThat(ok.json().at("/usage/completion_tokens").asInt()).isEqualTo(3);
        }
    }
}
