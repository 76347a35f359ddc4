package org.transformer4j.serve;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.transformer4j.serve.batch.BatchStats;
import org.transformer4j.serve.batch.ContinuousBatcher;

/**
 * The server's metrics in the Prometheus text exposition format (version 0.0.4): requests by endpoint and status,
 * queue depth and running batch rows, the decode steps' batch sizes, prompt and generated tokens (with the output
 * rate over the last 10 s), time to first token and inter-token latency. Thread-safe.
 */
final class ServerMetrics {
    private static final double[] LATENCY_BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10, 30, 60};
    private static final int RATE_WINDOW_S = 10;

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Histogram ttft = new Histogram();
    private final Histogram itl = new Histogram();
    private final LongAdder delivered = new LongAdder();
    private final AtomicLongArray rateSeconds = new AtomicLongArray(RATE_WINDOW_S + 2);
    private final AtomicLongArray rateCounts = new AtomicLongArray(RATE_WINDOW_S + 2);

    void request(String endpoint, int status) {
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
    }

    void timeToFirstToken(long nanos) {
        ttft.observe(nanos / 1e9);
    }

    void interTokenLatency(long nanos) {
        itl.observe(nanos / 1e9);
    }

    void tokensDelivered(int count) {
        delivered.add(count);
        long second = System.currentTimeMillis() / 1000;
        int slot = (int) (second % rateSeconds.length());
        long was = rateSeconds.get(slot);
        if (was != second && rateSeconds.compareAndSet(slot, was, second)) {
            rateCounts.set(slot, 0);
        }
        rateCounts.addAndGet(slot, count);
    }

    /** Tokens per second over the last {@value #RATE_WINDOW_S} complete seconds. */
    double tokensPerSecond() {
        long now = System.currentTimeMillis() / 1000;
        long total = 0;
        for (int i = 0; i < rateSeconds.length(); i++) {
            long s = rateSeconds.get(i);
            if (s < now && s >= now - RATE_WINDOW_S) {
                total += rateCounts.get(i);
            }
        }
        return total / (double) RATE_WINDOW_S;
    }

    String render(ContinuousBatcher batcher) {
        StringBuilder out = new StringBuilder(4096);
        header(out, "transformer4j_requests_total", "counter", "HTTP requests answered, by endpoint and status.");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put(k, v.sum()));
        sorted.forEach((k, v) -> {
            String[] parts = k.split("\u0000", 2);
            out.append("transformer4j_requests_total{endpoint=\"").append(escape(parts[0])).append("\",status=\"")
                    .append(parts[1]).append("\"} ").append(v).append('\n');
        });
        gauge(out, "transformer4j_queue_depth", "Requests' sequences waiting for a batch slot.", batcher.queueDepth());
        gauge(out, "transformer4j_batch_rows", "Sequences in the running batch.", batcher.activeRows());
        gauge(out, "transformer4j_batch_max_rows", "Most sequences decoded together (--max-batch).",
                batcher.maxBatch());
        gauge(out, "transformer4j_queue_max", "Most sequences waiting (--max-queue); more get 429.",
                batcher.maxQueue());
        BatchStats s = batcher.stats();
        header(out, "transformer4j_batch_size", "histogram", "Rows of each decode step.");
        long cumulative = 0;
        for (int i = 0; i < BatchStats.BATCH_BOUNDS.length; i++) {
            cumulative += s.batchBucket(i);
            out.append("transformer4j_batch_size_bucket{le=\"").append(BatchStats.BATCH_BOUNDS[i]).append("\"} ")
                    .append(cumulative).append('\n');
        }
        cumulative += s.batchBucket(BatchStats.BATCH_BOUNDS.length);
        out.append("transformer4j_batch_size_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        out.append("transformer4j_batch_size_sum ").append(s.stepRows()).append('\n');
        out.append("transformer4j_batch_size_count ").append(s.steps()).append('\n');
        counter(out, "transformer4j_prompt_tokens_total", "Prompt tokens prefilled.", s.promptTokens());
        counter(out, "transformer4j_generated_tokens_total", "Tokens generated.", s.generatedTokens());
        counter(out, "transformer4j_decode_seconds_total", "Time in the runtime's decode steps.", s.stepNanos() / 1e9);
        counter(out, "transformer4j_prefill_seconds_total", "Time in the runtime's prefills.", s.prefillNanos() / 1e9);
        gauge(out, "transformer4j_tokens_per_second", "Tokens delivered per second over the last 10 s.",
                tokensPerSecond());
        ttft.render(out, "transformer4j_time_to_first_token_seconds",
                "From a request's arrival to its first generated token.");
        itl.render(out, "transformer4j_inter_token_latency_seconds", "Between consecutive tokens of one choice.");
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(format(value)).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, double value) {
        header(out, name, "counter", help);
        out.append(name).append(' ').append(format(value)).append('\n');
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** A fixed-bucket latency histogram in seconds. */
    private static final class Histogram {
        private final LongAdder[] buckets = new LongAdder[LATENCY_BOUNDS.length + 1];
        private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            int b = 0;
            while (b < LATENCY_BOUNDS.length && seconds > LATENCY_BOUNDS[b]) {
                b++;
            }
            buckets[b].increment();
            sum.add(seconds);
        }

        void render(StringBuilder out, String name, String help) {
            header(out, name, "histogram", help);
            long cumulative = 0;
            for (int i = 0; i < LATENCY_BOUNDS.length; i++) {
                cumulative += buckets[i].sum();
                out.append(name).append("_bucket{le=\"").append(LATENCY_BOUNDS[i]).append("\"} ").append(cumulative)
                        .append('\n');
            }
            cumulative += buckets[LATENCY_BOUNDS.length].sum();
            out.append(name).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
            out.append(name).append("_sum ").append(sum.sum()).append('\n');
            out.append(name).append("_count ").append(cumulative).append('\n');
        }
    }
}
