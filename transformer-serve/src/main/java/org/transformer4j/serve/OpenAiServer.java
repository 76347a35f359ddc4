package org.transformer4j.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.WebServer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.serve.batch.ContinuousBatcher;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * An OpenAI-compatible HTTP server for one GPT: {@code /v1/completions} and {@code /v1/chat/completions} (streamed
 * or not), {@code /v1/models}, {@code /health} and Prometheus {@code /metrics}, with continuous batching
 * ({@code ContinuousBatcher}) so that concurrent requests share the model's matrix products. Runs on Helidon SE's
 * WebServer (one virtual thread per request) and answers every bad request with OpenAI's error object.
 *
 * <pre>{@code
 * try (LanguageModel lm = LanguageModel.open(dir);
 *      OpenAiServer server = OpenAiServer.builder(lm).port(0).maxBatch(16).maxQueue(64).start()) {
 *     System.out.println("serving on " + server.baseUrl());
 *     server.awaitClose();
 * }
 * }</pre>
 *
 * <p>{@link #close()} shuts down gracefully: new requests get 503, requests in flight finish (up to the drain
 * timeout), then the listener closes.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(OpenAiServer.class.getName());

    private final WebServer web;
    private final ContinuousBatcher batcher;
    private final Endpoints endpoints;
    private final ServedModel model;
    private final String host;
    private final Duration drainTimeout;
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean closing;

    private OpenAiServer(Builder b) {
        ChatTemplate template = b.chatTemplate == null ? ChatTemplate.plain() : b.chatTemplate;
        Set<Integer> stops = b.stopTokens;
        if (stops == null) {
            stops = new HashSet<>();
            b.tokenizer.eosId().ifPresent(stops::add);
            // the chat template's end of turn (tokenizer_config.json's eos_token, such as <|im_end|>)
            b.tokenizer.specialTokenId(template.eosToken()).ifPresent(stops::add);
        }
        // ids the tokenizer cannot decode (an embedding padded beyond the tokenizer) are never sampled
        GptRuntime runtime = GptRuntime.limitVocabulary(b.runtime, b.tokenizer.vocabSize());
        this.model = new ServedModel(b.modelName, runtime, b.tokenizer, template, Set.copyOf(stops));
        this.host = b.host;
        this.drainTimeout = b.drainTimeout;
        ServerMetrics metrics = new ServerMetrics();
        this.batcher = new ContinuousBatcher(runtime, b.maxBatch, b.maxQueue);
        this.endpoints = new Endpoints(model, batcher, metrics, new ObjectMapper(), b.maxBodyBytes, b.readTimeout,
                b.requestTimeout);
        WebServer server;
        try {
            server = WebServer.builder()
                    .host(b.host)
                    .port(b.port)
                    .shutdownGracePeriod(Duration.ofSeconds(2))
                    .shutdownHook(false) // close() drains first; Helidon's own hook would cut requests in flight
                    .routing(endpoints::register)
                    .build()
                    .start();
        } catch (RuntimeException e) {
            batcher.close();
            throw startFailure(b, e);
        }
        if (!server.isRunning() || server.port() < 1) {
            // Helidon logs a listener that cannot bind and returns a server that is not running
            server.stop();
            batcher.close();
            throw new IllegalStateException("cannot listen on " + b.host + ":" + b.port + " (is another server using"
                    + " that port? choose another with --port, or 0 for a free one)");
        }
        this.web = server;
    }

    private static IllegalStateException startFailure(Builder b, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return new IllegalStateException("cannot listen on " + b.host + ":" + b.port + ": " + t.getMessage()
                        + " (is another server using that port? choose another with --port, or 0 for a free one)", e);
            }
        }
        return new IllegalStateException("cannot start the server on " + b.host + ":" + b.port + ": " + e, e);
    }

    /**
     * A server for {@code runtime} with {@code tokenizer} (which must be the model's). By default it listens on
     * 127.0.0.1:8080, serves the model as {@code "model"}, uses the plain chat template and stops a reply at the
     * tokenizer's end-of-sequence token.
     *
     * @param runtime   the model to serve, on any backend
     * @param tokenizer the model's tokenizer: prompts in, replies out
     * @return a builder to set the address, limits and template, then {@link Builder#start()}
     */
    public static Builder builder(GptRuntime runtime, Tokenizer tokenizer) {
        return new Builder(runtime, tokenizer);
    }

    /**
     * A server for a model opened through the front door ({@code LanguageModel.open(dir)}, any backend): served under
     * its directory's name, with the directory's chat template ({@code tokenizer_config.json}) if it has one. The
     * caller keeps ownership of {@code model} and closes it after the server.
     *
     * @param model an open model; the server does not close it
     * @return a builder to set the address, limits and template, then {@link Builder#start()}
     * @throws IllegalArgumentException if the model is not a decoder-only GPT (an encoder-decoder cannot be served
     *                                  as a completion model)
     */
    public static Builder builder(LanguageModel model) {
        GptRuntime runtime = model.gptRuntime().orElseThrow(() -> new IllegalArgumentException(
                "serve needs a decoder-only (GPT) model; " + model.directory() + " is an encoder-decoder"));
        Path dir = model.directory();
        String name = dir.getFileName() == null ? "model" : dir.getFileName().toString();
        return new Builder(runtime, model.tokenizer()).modelName(name).chatTemplate(ChatTemplate.forDirectory(dir));
    }

    /**
     * The port the server listens on (the one chosen when port 0 was asked for).
     *
     * @return the bound port
     */
    public int port() {
        return web.port();
    }

    /**
     * The host the server listens on.
     *
     * @return the host name or address given to the builder
     */
    public String host() {
        return host;
    }

    /**
     * The model id clients put in {@code model}.
     *
     * @return the id in {@code /v1/models} and in every response
     */
    public String modelId() {
        return model.id();
    }

    /**
     * The base URL of the OpenAI API, e.g. {@code http://127.0.0.1:8080/v1}, for a client's base-URL setting.
     *
     * @return the URL an OpenAI client takes as its base URL
     */
    public String baseUrl() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/v1";
    }

    /**
     * Blocks until the server is closed (for a command-line server waiting on SIGTERM).
     *
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /**
     * Shuts down gracefully: stops accepting generation requests (503, and {@code /health} says draining), lets
     * every request in flight finish for up to the drain timeout (then cancels what is left), stops the listener
     * and the batcher. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        try {
            batcher.shutdown();
            try {
                if (!endpoints.awaitDrained(drainTimeout)) {
                    LOG.log(Level.WARNING, endpoints.inFlight() + " requests were still running after the drain timeout of "
                            + drainTimeout.toSeconds() + " s; stopping anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                web.stop();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "the HTTP listener did not stop cleanly", e);
            }
            batcher.close();
        } finally {
            closed.countDown();
        }
    }

    /** Settings of an {@link OpenAiServer}; {@link #start()} binds the port. */
    public static final class Builder {
        private final GptRuntime runtime;
        private final Tokenizer tokenizer;
        private String modelName = "model";
        private String host = "127.0.0.1";
        private int port = 8080;
        private int maxBatch = 16;
        private int maxQueue = 64;
        private long maxBodyBytes = 1 << 20;
        private Duration requestTimeout = Duration.ofMinutes(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration drainTimeout = Duration.ofMinutes(2);
        private ChatTemplate chatTemplate;
        private Set<Integer> stopTokens;

        private Builder(GptRuntime runtime, Tokenizer tokenizer) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
            if (tokenizer.vocabSize() > runtime.vocabSize()) {
                throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                        + " ids but the model's vocabulary is " + runtime.vocabSize()
                        + "; serve the model with the tokenizer it was trained with");
            }
        }

        /**
         * The id clients name in {@code model} (default {@code "model"}).
         *
         * @param name the model id; not blank
         * @return this builder
         */
        public Builder modelName(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("the model name must not be blank");
            }
            this.modelName = name;
            return this;
        }

        /**
         * The address to listen on (default 127.0.0.1, loopback only).
         *
         * @param host a host name or address; other than loopback exposes the server to the network
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * The port (default 8080; 0 picks a free one, see {@link OpenAiServer#port()}).
         *
         * @param port 0 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Most sequences decoded together (default 16).
         *
         * @param maxBatch at least 1; larger batches share more work per step and make each step slower
         * @return this builder
         */
        public Builder maxBatch(int maxBatch) {
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
            }
            this.maxBatch = maxBatch;
            return this;
        }

        /**
         * Most sequences waiting for a batch slot before requests get 429 (default 64).
         *
         * @param maxQueue at least 0; 0 refuses a request whenever the batch is full
         * @return this builder
         */
        public Builder maxQueue(int maxQueue) {
            if (maxQueue < 0) {
                throw new IllegalArgumentException("maxQueue must be >= 0, was " + maxQueue);
            }
            this.maxQueue = maxQueue;
            return this;
        }

        /**
         * Largest request body in bytes (default 1 MiB); larger ones get 413.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxBodyBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be >= 1, was " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * How long a request may take from arrival to its last token (default 10 min); then 504.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /**
         * How long the server waits for a request's whole body once its headers arrived (default 30 s): a body that
         * stalls longer gets 408 and its connection is closed.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /**
         * How long {@link OpenAiServer#close()} lets requests in flight finish (default 2 min).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = positive(timeout, "drainTimeout");
            return this;
        }

        /**
         * How chat messages become a prompt (default {@link ChatTemplate#plain()}).
         *
         * @param template the template, e.g. {@link ChatTemplate#forDirectory}
         * @return this builder
         */
        public Builder chatTemplate(ChatTemplate template) {
            this.chatTemplate = Objects.requireNonNull(template, "template");
            return this;
        }

        /**
         * Tokens that end a reply (default: the tokenizer's end-of-sequence token, if it has one).
         *
         * @param ids token ids; empty to stop only at the length limit
         * @return this builder
         */
        public Builder stopTokens(Set<Integer> ids) {
            this.stopTokens = Set.copyOf(ids);
            return this;
        }

        /**
         * Binds the port and starts serving.
         *
         * @return the running server; close it to stop
         * @throws IllegalStateException naming the host and port when the port is in use or cannot be bound
         */
        public OpenAiServer start() {
            return new OpenAiServer(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be a positive duration, was " + d);
            }
            return d;
        }
    }
}
