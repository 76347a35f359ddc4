package org.transformer4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.transformer4j.inference.LanguageModel;

/**
 * A bounded loopback load generator for {@code serve}: starts an embedded server on a model directory and, for each
 * concurrency level, runs {@code max(rounds, concurrency)} streaming completions ({@code max_tokens} each, sampled with
 * fixed seeds), measuring aggregate output tokens/s, time to first token and inter-token latency (client side, per
 * SSE chunk). Concurrency 1 is the one-at-a-time baseline for the same requests.
 *
 * <pre>java -cp ... org.transformer4j.serve.ServeLoadGenerator DIR BACKEND MAX_TOKENS MIN_REQUESTS 1,4,16,64</pre>
 */
public final class ServeLoadGenerator {
    private ServeLoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String backend = args[1];
        int maxTokens = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        int[] levels = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
        int maxBatch = Arrays.stream(levels).max().orElse(16);
        try (LanguageModel lm = LanguageModel.builder(dir).backend(backend).open();
             OpenAiServer server = OpenAiServer.builder(lm).port(0).maxBatch(maxBatch).maxQueue(4 * maxBatch)
                     .start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String url = "http://127.0.0.1:" + server.port() + "/v1/completions";
            String model = server.modelId();
            run(client, url, model, maxTokens, 1, 1); // warm-up
            System.out.printf("model %s, backend %s, max_tokens %d, %s%n", model, lm.backend(), maxTokens,
                    System.getProperty("os.arch"));
            System.out.println("streams  requests  tokens/s  x one-at-a-time  TTFT p50 ms  TTFT p99 ms  ITL p50 ms"
                    + "  ITL p99 ms");
            double base = 0;
            for (int c : levels) {
                Result r = run(client, url, model, maxTokens, c, rounds);
                if (c == 1) {
                    base = r.tokensPerSecond;
                }
                System.out.printf("%7d  %8d  %8.1f  %15.2f  %11.1f  %11.1f  %10.2f  %10.2f%n", c, r.requests,
                        r.tokensPerSecond, base == 0 ? Double.NaN : r.tokensPerSecond / base, pct(r.ttft, 50),
                        pct(r.ttft, 99), pct(r.itl, 50), pct(r.itl, 99));
            }
        }
    }

    private record Result(int requests, double tokensPerSecond, double[] ttft, double[] itl) {
    }

    private static Result run(HttpClient client, String url, String model, int maxTokens, int concurrency,
            int rounds) throws Exception {
        int requests = Math.max(concurrency, rounds);
        List<Double> ttft = new ArrayList<>();
        List<Double> itl = new ArrayList<>();
        long tokens = 0;
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency, Thread.ofVirtual().factory())) {
            List<Future<double[][]>> futures = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                String body = "{\"model\":\"" + model + "\",\"prompt\":\"ROMEO:\",\"max_tokens\":" + maxTokens
                        + ",\"temperature\":0.8,\"seed\":" + i + ",\"stream\":true,"
                        + "\"stream_options\":{\"include_usage\":true}}";
                futures.add(pool.submit(() -> one(client, url, body)));
            }
            for (Future<double[][]> f : futures) {
                double[][] r = f.get();
                ttft.add(r[0][0]);
                tokens += (long) r[0][1];
                for (double d : r[1]) {
                    itl.add(d);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(requests, tokens / seconds, sorted(ttft), sorted(itl));
    }

    /** {{ttft ms, completion tokens}, {inter-chunk gaps ms}}. */
    private static double[][] one(HttpClient client, String url, String body) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body().readAllBytes(),
                    StandardCharsets.UTF_8));
        }
        double first = -1;
        long last = 0;
        List<Double> gaps = new ArrayList<>();
        int completion = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    break;
                }
                JsonNode chunk = Http.JSON.readTree(data);
                if (chunk.has("usage") && !chunk.get("usage").isNull()) {
                    completion = chunk.get("usage").get("completion_tokens").asInt();
                    continue;
                }
                if (chunk.get("choices").get(0).get("text").asText().isEmpty()) {
                    continue;
                }
                long now = System.nanoTime();
                if (first < 0) {
                    first = (now - t0) / 1e6;
                } else {
                    gaps.add((now - last) / 1e6);
                }
                last = now;
            }
        }
        return new double[][] {{first, completion}, gaps.stream().mapToDouble(Double::doubleValue).toArray()};
    }

    private static double[] sorted(List<Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }

    private static double pct(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
