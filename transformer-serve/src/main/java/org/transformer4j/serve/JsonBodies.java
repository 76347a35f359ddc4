package org.transformer4j.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * well-formed JSON whose top level is an object (else 400). A body that does not arrive within the socket's read
 * timeout is answered 408.
 */
final class JsonBodies {
    private final ObjectMapper mapper;
    private final long limit;

    JsonBodies(ObjectMapper mapper, long limit) {
        this.mapper = mapper;
        this.limit = limit;
    }

    /**
     * @param declaredLength the Content-Length header, or -1 when absent (chunked)
     */
    JsonNode read(InputStream in, long declaredLength) throws ApiError {
        if (declaredLength > limit) {
            throw tooLarge(declaredLength + " bytes (Content-Length)");
        }
        byte[] bytes;
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
            bytes = out.toByteArray();
        } catch (IOException | UncheckedIOException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            if (cause instanceof SocketTimeoutException || hasCause(e, SocketTimeoutException.class)) {
                throw new ApiError(408, "invalid_request_error", null, "request_timeout",
                        "the request body did not arrive in time; send the whole body promptly");
            }
            throw new ApiError(400, "invalid_request_error", null, "body_unreadable",
                    "could not read the request body: " + cause.getMessage());
        }
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

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
