package org.transformer4j.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.transformer4j.serve.batch.ContinuousBatcher;
import org.transformer4j.serve.batch.SampledToken;

/**
 * The HTTP endpoints: {@code POST /v1/completions}, {@code POST /v1/chat/completions} (both streamed as server-sent
 * events with {@code stream: true}, ending in {@code data: [DONE]}), {@code GET /v1/models}, {@code GET /health},
 * {@code GET /metrics}; anything else is a 404 or 405 in OpenAI's error shape. Each request runs on its own virtual
 * thread (Helidon's); only generation goes through the batcher.
 */
final class Endpoints {
    private static final Logger LOG = System.getLogger(Endpoints.class.getName());
    private static final String JSON_TYPE = "application/json";

    private final ServedModel model;
    private final ContinuousBatcher batcher;
    private final ServerMetrics metrics;
    private final ObjectMapper mapper;
    private final JsonBodies bodies;
    private final Responses responses;
    private final Duration requestTimeout;
    private final long created = System.currentTimeMillis() / 1000;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drained = new Object();

    Endpoints(ServedModel model, ContinuousBatcher batcher, ServerMetrics metrics, ObjectMapper mapper,
            long maxBodyBytes, Duration bodyTimeout, Duration requestTimeout) {
        this.model = model;
        this.batcher = batcher;
        this.metrics = metrics;
        this.mapper = mapper;
        this.bodies = new JsonBodies(mapper, maxBodyBytes, bodyTimeout);
        this.responses = new Responses(model);
        this.requestTimeout = requestTimeout;
    }

    void register(HttpRouting.Builder routing) {
        routing.post("/v1/completions", (req, res) -> generate(req, res, "/v1/completions", false))
                .post("/v1/chat/completions", (req, res) -> generate(req, res, "/v1/chat/completions", true))
                .get("/v1/models", (req, res) -> sendJson(res, "/v1/models", 200, responses.models(created)))
                .get("/v1/models/{id}", this::model)
                .get("/health", this::health)
                .get("/metrics", this::metrics)
                .any("/v1/completions", (req, res) -> methodNotAllowed(res, "/v1/completions", "POST"))
                .any("/v1/chat/completions", (req, res) -> methodNotAllowed(res, "/v1/chat/completions", "POST"))
                .any((req, res) -> sendError(res, "other", new ApiError(404, "invalid_request_error", null,
                        "not_found", "no endpoint " + req.prologue().method().text() + " " + req.path().path()
                                + "; this server has POST /v1/completions, POST /v1/chat/completions, GET /v1/models,"
                                + " GET /health and GET /metrics")))
                .error(Throwable.class, (req, res, t) -> {
                    LOG.log(Level.ERROR, "unexpected failure answering " + req.path().path(), t);
                    if (!res.isSent()) {
                        sendError(res, "other", new ApiError(500, "server_error", null, "internal_error",
                                "the server failed on this request (" + t.getClass().getSimpleName()
                                        + "); see the server's log"));
                    }
                });
    }

    /** Requests being generated; {@link #awaitDrained} waits for it to reach 0. */
    int inFlight() {
        return inFlight.get();
    }

    boolean awaitDrained(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (drained) {
            while (inFlight.get() > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                drained.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    private void generate(ServerRequest req, ServerResponse res, String endpoint, boolean chat) {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        try {
            Job job;
            GenerationCall call;
            try {
                JsonNode body = bodies.read(req.content().inputStream(),
                        req.headers().contentLength().orElse(-1));
                job = chat ? Requests.chat(body, model) : Requests.completion(body, model);
                call = new GenerationCall(job, model, metrics, start);
                call.submit(batcher, start + requestTimeout.toNanos());
            } catch (ApiError e) {
                sendError(res, endpoint, e);
                return;
            }
            String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
            long createdAt = System.currentTimeMillis() / 1000;
            long waitLimit = requestTimeout.toNanos() + Duration.ofSeconds(30).toNanos();
            if (job.stream()) {
                stream(res, endpoint, job, call, id, createdAt, waitLimit);
            } else {
                try {
                    call.run(new GenerationCall.Output() {
                        @Override
                        public void delta(int choice, String text, List<SampledToken> tokens) {
                        }

                        @Override
                        public void finish(int choice, String reason) {
                        }
                    }, waitLimit);
                } catch (ApiError e) {
                    sendError(res, endpoint, e);
                    return;
                }
                sendJson(res, endpoint, 200, chat ? responses.chat(id, createdAt, job, call)
                        : responses.completion(id, createdAt, job, call));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (inFlight.decrementAndGet() == 0) {
                synchronized (drained) {
                    drained.notifyAll();
                }
            }
        }
    }

    private void stream(ServerResponse res, String endpoint, Job job, GenerationCall call, String id,
            long createdAt, long waitLimit) throws InterruptedException {
        boolean chat = job.chat();
        boolean logprobs = job.topLogprobs() >= 0;
        metrics.request(endpoint, 200);
        try (SseSink sink = res.sink(SseSink.TYPE)) {
            boolean[] started = new boolean[job.choices()];
            if (chat) {
                for (int c = 0; c < started.length; c++) {
                    emit(sink, responses.chatChunk(id, createdAt, c, true, "", List.of(), false, null));
                    started[c] = true;
                }
            } else if (job.echo()) {
                for (int c = 0; c < started.length; c++) {
                    emit(sink, responses.completionChunk(id, createdAt, c, job.promptTexts().get(c / job.n()),
                            List.of(), false, null));
                }
            }
            try {
                call.run(new GenerationCall.Output() {
                    @Override
                    public void delta(int choice, String text, List<SampledToken> tokens) {
                        emit(sink, chat ? responses.chatChunk(id, createdAt, choice, false, text, tokens, logprobs, null)
                                : responses.completionChunk(id, createdAt, choice, text, tokens, logprobs, null));
                    }

                    @Override
                    public void finish(int choice, String reason) {
                        emit(sink, chat ? responses.chatChunk(id, createdAt, choice, false, null, List.of(), false,
                                reason) : responses.completionChunk(id, createdAt, choice, "", List.of(), false, reason));
                    }
                }, waitLimit);
            } catch (ApiError e) {
                emit(sink, e.toJson());
                return;
            }
            if (job.includeUsage()) {
                emit(sink, responses.usageChunk(id, chat ? "chat.completion.chunk" : "text_completion", createdAt,
                        job.promptTokens(), call.completionTokens()));
            }
            sink.emit(SseEvent.create("[DONE]"));
        } catch (java.io.UncheckedIOException e) {
            // the client went away: GenerationCall.run cancelled its sequences; nothing more to send
            call.cancelAll();
            LOG.log(Level.DEBUG, "a streaming client disconnected", e);
        }
    }

    private void emit(SseSink sink, ObjectNode chunk) {
        try {
            sink.emit(SseEvent.create(mapper.writeValueAsString(chunk)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a JSON chunk", e);
        }
    }

    private void model(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!model.id().equals(id)) {
            sendError(res, "/v1/models", new ApiError(404, "invalid_request_error", "model", "model_not_found",
                    "the model '" + id + "' does not exist on this server; it serves '" + model.id() + "'"));
            return;
        }
        sendJson(res, "/v1/models", 200, (ObjectNode) responses.models(created).get("data").get(0));
    }

    private void health(ServerRequest req, ServerResponse res) {
        boolean up = batcher.accepting();
        ObjectNode body = mapper.createObjectNode();
        body.put("status", up ? "ok" : "draining");
        body.put("model", model.id());
        body.put("queue_depth", batcher.queueDepth());
        body.put("batch_rows", batcher.activeRows());
        sendJson(res, "/health", up ? 200 : 503, body);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        metrics.request("/metrics", 200);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(metrics.render(batcher).getBytes(StandardCharsets.UTF_8));
    }

    private void methodNotAllowed(ServerResponse res, String endpoint, String allowed) {
        res.header(HeaderNames.ALLOW, allowed);
        sendError(res, endpoint, new ApiError(405, "invalid_request_error", null, "method_not_allowed",
                endpoint + " takes " + allowed + " only"));
    }

    private void sendError(ServerResponse res, String endpoint, ApiError error) {
        if (error.status() == 429) {
            res.header(HeaderNames.RETRY_AFTER, "1");
        }
        if (error.status() == 408 || error.status() == 413) {
            res.header(HeaderNames.CONNECTION, "close"); // the rest of the body is not read
        }
        sendJson(res, endpoint, error.status(), error.toJson());
    }

    private void sendJson(ServerResponse res, String endpoint, int status, ObjectNode body) {
        metrics.request(endpoint, status);
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a JSON response", e);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, JSON_TYPE);
        res.send(bytes);
    }
}
