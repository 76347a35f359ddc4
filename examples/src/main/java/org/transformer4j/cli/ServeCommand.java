package org.transformer4j.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.serve.OpenAiServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code serve}: an OpenAI-compatible HTTP server for a GPT model directory (or its ONNX export) on any backend, with
 * continuous batching. Runs until SIGTERM / Ctrl-C, which drains the requests in flight before exiting.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a GPT model over the OpenAI HTTP API (/v1/completions, /v1/chat/completions, /v1/models,"
                + " /health, /metrics), with continuous batching.",
                "SIGTERM stops accepting requests, finishes those in flight, then exits."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory, or a directory holding model.onnx")
    Path model;
    @Option(names = "--backend", description = "backend name (default: the selection rules)") String backend;
    @Option(names = "--threads", defaultValue = "0") int threads;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host;
    @Option(names = "--port", defaultValue = "8080", description = "port, 0 = any free one (default: ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--max-batch", defaultValue = "16", description = "most sequences decoded together (default: ${DEFAULT-VALUE})")
    int maxBatch;
    @Option(names = "--max-queue", defaultValue = "64", description = "most sequences waiting; more get 429 (default: ${DEFAULT-VALUE})")
    int maxQueue;
    @Option(names = "--request-timeout", defaultValue = "600", description = "seconds a request may take (default: ${DEFAULT-VALUE})")
    long requestTimeout;
    @Option(names = "--name", description = "model id clients send (default: the directory's name)") String name;

    @Override
    public Integer call() throws Exception {
        try (LanguageModel lm = LanguageModel.builder(model).backend(backend).threads(threads).open()) {
            OpenAiServer.Builder builder = OpenAiServer.builder(lm).host(host).port(port).maxBatch(maxBatch)
                    .maxQueue(maxQueue).requestTimeout(Duration.ofSeconds(requestTimeout));
            if (name != null) {
                builder.modelName(name);
            }
            OpenAiServer server = builder.start();
            Thread hook = new Thread(server::close, "transformer4j-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.println("serving '" + server.modelId() + "' (" + lm.backend() + ", " + lm.device() + ") on "
                    + server.baseUrl() + "  max-batch " + maxBatch + ", max-queue " + maxQueue);
            server.awaitClose();
            return 0;
        }
    }
}
