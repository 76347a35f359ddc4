package org.transformer4j.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.inference.LanguageModel;

/**
 * Soak ({@code ./mvnw -Pserve-soak -pl transformer-serve -am verify}): 1,000 requests (streamed and not, 16 at a
 * time) after a 500-request warm-up, in a JVM with a fixed 256 MiB heap; the process's resident set may grow by at most 64 MiB over them (leaked caches
 * or per-request state would grow it by far more: each request holds a cache of its own).
 */
class SoakIT {
    private static final long RSS_BOUND_KIB = 64 * 1024;

    @Test
    void thousandRequestsKeepRssFlat(@TempDir Path tmp) throws Exception {
        Path dir = TinyModels.writeGptDirectory(tmp.resolve("tiny"), 64);
        try (LanguageModel lm = LanguageModel.builder(dir).backend("cpu").threads(1).open();
             OpenAiServer server = OpenAiServer.builder(lm).port(0).maxBatch(16).maxQueue(64).start()) {
            Http http = new Http(server.port());
            run(http, 500);
            System.gc();
            long before = rssKib();
            run(http, 1000);
            System.gc();
            long after = rssKib();
            System.out.printf("RSS before %d KiB, after 1000 requests %d KiB (growth %d KiB, bound %d KiB)%n",
                    before, after, after - before, RSS_BOUND_KIB);
            assertThat(after - before).isLessThan(RSS_BOUND_KIB);
        }
    }

    private static void run(Http http, int count) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(16, Thread.ofVirtual().factory())) {
            List<Future<Http.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String body = "{\"model\":\"tiny\",\"prompt\":\"ROMEO:\",\"max_tokens\":" + (5 + i % 20)
                        + ",\"temperature\":0.8,\"seed\":" + i + ",\"stream\":" + (i % 2 == 0) + "}";
                answers.add(pool.submit(() -> http.post("/v1/completions", body)));
            }
            for (Future<Http.Answer> a : answers) {
                assertThat(a.get().status()).isEqualTo(200);
            }
        }
    }

    private static long rssKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
