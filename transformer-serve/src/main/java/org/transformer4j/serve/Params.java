package org.transformer4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed, validated access to the fields of a request object. A missing or {@code null} field gives the default; a
 * field of the wrong type or out of range is an {@link ApiError} naming it. Fields the server does not know are
 * ignored (clients send many optional ones), as OpenAI does.
 */
final class Params {
    private final JsonNode body;

    Params(JsonNode body) {
        this.body = body;
    }

    boolean has(String name) {
        JsonNode v = body.get(name);
        return v != null && !v.isNull();
    }

    JsonNode node(String name) {
        return body.get(name);
    }

    String requiredString(String name) throws ApiError {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            throw new ApiError(400, "invalid_request_error", name, "missing_required_parameter",
                    "missing required parameter: '" + name + "'");
        }
        if (!v.isTextual()) {
            throw wrongType(name, "a string", v);
        }
        return v.asText();
    }

    boolean bool(String name, boolean fallback) throws ApiError {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw wrongType(name, "a boolean", v);
        }
        return v.asBoolean();
    }

    /** An integer field in {@code [min, max]}. */
    int integer(String name, int fallback, int min, int max) throws ApiError {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        return integerValue(name, v, min, max);
    }

    static int integerValue(String name, JsonNode v, int min, int max) throws ApiError {
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw wrongType(name, "an integer", v);
        }
        if (!v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw ApiError.invalid(name, "'" + name + "' must be between " + min + " and " + max + ", was " + v);
        }
        return (int) v.asLong();
    }

    /** A long field (any value). */
    Long optionalLong(String name) throws ApiError {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(name, "a 64-bit integer", v);
        }
        return v.asLong();
    }

    /** A number field in {@code [min, max]} (or {@code (min, max]} when {@code minExclusive}). */
    double number(String name, double fallback, double min, boolean minExclusive, double max) throws ApiError {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw wrongType(name, "a number", v);
        }
        double d = v.asDouble();
        if (!(minExclusive ? d > min : d >= min) || !(d <= max)) {
            throw ApiError.invalid(name, "'" + name + "' must be in " + (minExclusive ? "(" : "[") + min + ", " + max
                    + "], was " + v);
        }
        return d;
    }

    /** {@code stop}: null, a string, or an array of up to 4 non-empty strings. */
    List<String> stops(String name) throws ApiError {
        JsonNode v = body.get(name);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isTextual()) {
            out.add(v.asText());
        } else if (v.isArray()) {
            if (v.size() > 4) {
                throw ApiError.invalid(name, "'" + name + "' takes at most 4 strings, was given " + v.size());
            }
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw wrongType(name, "a string or an array of strings", v);
                }
                out.add(e.asText());
            }
        } else {
            throw wrongType(name, "a string or an array of strings", v);
        }
        for (String s : out) {
            if (s.isEmpty()) {
                throw ApiError.invalid(name, "'" + name + "' must not contain an empty string");
            }
        }
        return out;
    }

    static ApiError wrongType(String name, String expected, JsonNode actual) {
        String shown = actual.toString();
        if (shown.length() > 60) {
            shown = shown.substring(0, 57) + "...";
        }
        return new ApiError(400, "invalid_request_error", name, "invalid_type",
                "'" + name + "' must be " + expected + ", was " + actual.getNodeType().toString().toLowerCase()
                        + " " + shown);
    }
}
