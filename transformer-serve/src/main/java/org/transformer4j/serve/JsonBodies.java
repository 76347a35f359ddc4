package org.transformer4j.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.common.buffers.DataReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a request body as a JSON object: at most {@code limit} bytes (else 413), strictly valid UTF-8 (else 400),
 * well-formed JSON whose top level is an object (else 400). A body that does not arrive within the body timeout is
 * answered 408.
 */
final class JsonBodies {
    private final ObjectMapper mapper;
    private final long limit;
    private final java.time.Duration bodyTimeout;

    JsonBodies(ObjectMapper mapper, long limit, java.time.Duration bodyTimeout) {
        this.mapper = mapper;
        this.limit = limit;
        this.bodyTimeout = bodyTimeout;
    }

    /**
     * @param declaredLength the Content-Length header, or -1 when absent (chunked)
     */
    JsonNode read(InputStream in, long declaredLength) throws ApiError {
        if (declaredLength > limit) {
            throw tooLarge(declaredLength + " bytes (Content-Length)");
        }
        // the body is read on a virtual thread of its own so that a client that stalls is answered 408 after the
        // timeout (the response closes the connection, which ends the blocked read)
        java.util.concurrent.FutureTask<byte[]> reading = new java.util.concurrent.FutureTask<>(() -> readAll(in));
        Thread.ofVirtual().name("transformer4j-body").start(reading);
        byte[] bytes;
        try {
            bytes = reading.get(bodyTimeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // not interrupted: interrupting a read would close the socket before the 408 is written
            throw timeout();
        } catch (InterruptedException e) {
            reading.cancel(true);
            Thread.currentThread().interrupt();
            throw new ApiError(503, "server_error", null, "shutting_down", "the server is stopping");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof ApiError error) {
                throw error;
            }
            throw new ApiError(400, "invalid_request_error", null, "body_unreadable",
                    "could not read the request body: " + e.getCause());
        }
        return parse(bytes);
    }

    private ApiError timeout() {
        return new ApiError(408, "invalid_request_error", null, "request_timeout",
                "the request body did not arrive within " + bodyTimeout.toMillis() + " ms; send the whole body"
                        + " promptly");
    }

    private byte[] readAll(InputStream in) throws ApiError {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > limit) {
                    throw tooLarge("more than " + limit + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataReader.InsufficientDataAvailableException e) {
            throw new ApiError(400, "invalid_request_error", null, "body_unreadable",
                    "the connection ended before the whole request body arrived");
        } catch (IOException | UncheckedIOException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            if (cause instanceof SocketTimeoutException) {
                throw timeout();
            }
            throw new ApiError(400, "invalid_request_error", null, "body_unreadable",
                    "could not read the request body: " + cause.getMessage());
        }
    }

    private JsonNode parse(byte[] bytes) throws ApiError {
        if (bytes.length == 0) {
            throw ApiError.invalid(null, "the request body is empty: send a JSON object");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiError(400, "invalid_request_error", null, "invalid_utf8",
                    "the request body is not valid UTF-8; encode it as UTF-8");
        }
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "invalid_request_error", null, "invalid_json",
                    "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "invalid_request_error", null, "invalid_json",
                    "the request body must be a JSON object, was " + (node == null ? "empty" : node.getNodeType()));
        }
        return node;
    }

    private ApiError tooLarge(String what) {
        return new ApiError(413, "invalid_request_error", null, "request_too_large",
                "the request body is " + what + "; the limit is " + limit + " bytes");
    }

}
