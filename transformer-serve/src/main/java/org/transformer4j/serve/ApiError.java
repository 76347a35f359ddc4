package org.transformer4j.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the server refuses, answered as OpenAI's error object
 * {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status. Thrown while a request is read,
 * validated or run; never carries a stack trace to the client.
 */
final class ApiError extends Exception {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    ApiError(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: the request is malformed or a parameter is invalid. */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, param == null ? null : "invalid_value", message);
    }

    int status() {
        return status;
    }

    /** The error object. */
    ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }
}
