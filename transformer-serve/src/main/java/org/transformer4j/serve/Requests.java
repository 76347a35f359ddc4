package org.transformer4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.transformer4j.generate.GenerationOptions;

/**
 * Reads OpenAI request bodies into {@link Job}s, checking every field the server uses and naming the one that is
 * wrong. Supported: {@code model} (required, must be the served id), {@code prompt} (a string, a list of strings,
 * a list of token ids or a list of such lists) or {@code messages}, {@code max_tokens} / {@code max_completion_tokens},
 * {@code temperature} [0, 2] (0 = greedy; default 1), {@code top_p} (0, 1], {@code top_k} (an extension; 0 = all),
 * {@code n} [1, 16], {@code stop} (up to 4 strings), {@code seed}, {@code logprobs} and {@code top_logprobs},
 * {@code echo}, {@code stream} and {@code stream_options.include_usage}. Without {@code max_tokens}, a completion
 * produces 16 tokens (OpenAI's default) and a chat reply up to the rest of the context.
 */
final class Requests {
    static final int MAX_N = 16;
    private static final int DEFAULT_COMPLETION_TOKENS = 16;

    private Requests() {
    }

    static Job completion(JsonNode body, ServedModel model) throws ApiError {
        Params p = new Params(body);
        checkModel(p, model);
        JsonNode prompt = body.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw new ApiError(400, "invalid_request_error", "prompt", "missing_required_parameter",
                    "missing required parameter: 'prompt'");
        }
        List<int[]> prompts = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        readPrompts(prompt, model, prompts, texts);
        int logprobs = p.integer("logprobs", -1, 0, 5);
        boolean echo = p.bool("echo", false);
        if (echo && logprobs >= 0) {
            throw ApiError.invalid("logprobs", "'logprobs' together with 'echo' is not supported by this server"
                    + " (the prompt's log-probabilities are not computed); drop one of them");
        }
        return build(p, model, false, prompts, texts, DEFAULT_COMPLETION_TOKENS, logprobs, echo);
    }

    static Job chat(JsonNode body, ServedModel model) throws ApiError {
        Params p = new Params(body);
        checkModel(p, model);
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw new ApiError(400, "invalid_request_error", "messages", "missing_required_parameter",
                    "missing required parameter: 'messages'");
        }
        if (!messages.isArray()) {
            throw Params.wrongType("messages", "an array of messages", messages);
        }
        if (messages.isEmpty()) {
            throw ApiError.invalid("messages", "'messages' is empty: give at least one message");
        }
        List<ChatMessage> list = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            list.add(message(messages.get(i), "messages[" + i + "]"));
        }
        String text;
        try {
            text = model.chatTemplate().render(list);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("messages", e.getMessage());
        }
        // the rendered conversation holds its special tokens (bos_token, ...) as text: none are added to it
        int[] ids = encode(model, text, "messages");
        checkPromptLength(model, ids, "messages", "the rendered conversation");
        boolean logprobs = p.bool("logprobs", false);
        int top = p.integer("top_logprobs", 0, 0, 20);
        if (p.has("top_logprobs") && !logprobs) {
            throw ApiError.invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        int chatDefault = model.contextLength() - ids.length;
        return build(p, model, true, List.of(ids), List.of(text), chatDefault, logprobs ? top : -1, false);
    }

    private static Job build(Params p, ServedModel model, boolean chat, List<int[]> prompts, List<String> texts,
            int defaultMax, int topLogprobs, boolean echo) throws ApiError {
        int longest = 0;
        for (int[] ids : prompts) {
            longest = Math.max(longest, ids.length);
        }
        int room = model.contextLength() - longest;
        String maxName = chat && p.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int maxTokens = p.integer(maxName, Math.min(defaultMax, room), Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (maxTokens < 1) {
            throw ApiError.invalid(maxName, "'" + maxName + "' must be at least 1, was " + maxTokens);
        }
        if (maxTokens > room) {
            throw new ApiError(400, "invalid_request_error", maxName, "context_length_exceeded",
                    "this model's context is " + model.contextLength() + " tokens; the prompt has " + longest
                            + " tokens, so '" + maxName + "' can be at most " + room + " (was " + maxTokens + ")");
        }
        double temperature = p.number("temperature", 1.0, 0, false, 2);
        double topP = p.number("top_p", 1.0, 0, true, 1);
        int topK = p.integer("top_k", 0, 0, Integer.MAX_VALUE);
        int n = p.integer("n", 1, 1, MAX_N);
        List<String> stops = p.stops("stop");
        Long seed = p.optionalLong("seed");
        boolean stream = p.bool("stream", false);
        boolean includeUsage = false;
        JsonNode streamOptions = p.node("stream_options");
        if (streamOptions != null && !streamOptions.isNull()) {
            if (!streamOptions.isObject()) {
                throw Params.wrongType("stream_options", "an object", streamOptions);
            }
            includeUsage = new Params(streamOptions).bool("include_usage", false);
        }
        Set<Integer> stopTokens = new HashSet<>(model.stopTokens());
        GenerationOptions options = new GenerationOptions(maxTokens, (float) temperature, topK, (float) topP,
                seed != null ? seed : ThreadLocalRandom.current().nextLong(), stopTokens, stops, false);
        return new Job(chat, prompts, texts, n, options, topLogprobs, echo, stream, includeUsage);
    }

    private static void checkModel(Params p, ServedModel model) throws ApiError {
        String name = p.requiredString("model");
        if (!name.equals(model.id())) {
            throw new ApiError(404, "invalid_request_error", "model", "model_not_found",
                    "the model '" + name + "' does not exist on this server; it serves '" + model.id() + "'");
        }
    }

    private static void readPrompts(JsonNode prompt, ServedModel model, List<int[]> prompts, List<String> texts)
            throws ApiError {
        if (prompt.isTextual()) {
            addText(prompt.asText(), model, prompts, texts);
        } else if (prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isNumber()) {
            addIds(prompt, model, prompts, texts, "prompt");
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            if (prompt.size() > MAX_N) {
                throw ApiError.invalid("prompt", "at most " + MAX_N + " prompts per request, was " + prompt.size());
            }
            for (int i = 0; i < prompt.size(); i++) {
                JsonNode e = prompt.get(i);
                if (e.isTextual()) {
                    addText(e.asText(), model, prompts, texts);
                } else if (e.isArray()) {
                    addIds(e, model, prompts, texts, "prompt[" + i + "]");
                } else {
                    throw Params.wrongType("prompt", "a string, an array of strings, an array of token ids or an"
                            + " array of arrays of token ids", prompt);
                }
            }
        } else if (prompt.isArray()) {
            throw ApiError.invalid("prompt", "'prompt' is an empty array: give text or token ids");
        } else {
            throw Params.wrongType("prompt", "a string, an array of strings, an array of token ids or an array of"
                    + " arrays of token ids", prompt);
        }
    }

    private static void addText(String text, ServedModel model, List<int[]> prompts, List<String> texts)
            throws ApiError {
        // a raw prompt gets the tokenizer's post-processor tokens (Llama 3's BOS), as Hugging Face's tokenizer(text)
        int[] ids = model.tokenizer().addSpecialTokens(encode(model, text, "prompt"));
        checkPromptLength(model, ids, "prompt", "the prompt");
        prompts.add(ids);
        texts.add(text);
    }

    private static void addIds(JsonNode array, ServedModel model, List<int[]> prompts, List<String> texts,
            String what) throws ApiError {
        if (array.isEmpty()) {
            throw ApiError.invalid("prompt", what + " is an empty array of token ids");
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode e = array.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                throw Params.wrongType("prompt", "an array of integer token ids (" + what + "[" + i + "])", e);
            }
            ids[i] = e.asInt();
            if (ids[i] < 0 || ids[i] >= model.vocabSize()) {
                throw new ApiError(400, "invalid_request_error", "prompt", "invalid_token_id",
                        what + "[" + i + "] is token id " + ids[i] + ", outside this model's vocabulary [0, "
                                + model.vocabSize() + ")");
            }
        }
        checkPromptLength(model, ids, "prompt", what);
        prompts.add(ids);
        texts.add(model.tokenizer().decode(ids));
    }

    private static int[] encode(ServedModel model, String text, String param) throws ApiError {
        int[] ids;
        try {
            ids = model.tokenizer().encode(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(param, "the " + param + " cannot be tokenized by this model's tokenizer: "
                    + e.getMessage());
        }
        if (ids.length == 0) {
            throw ApiError.invalid(param, "the " + param + " is empty after tokenization: give some text");
        }
        return ids;
    }

    private static void checkPromptLength(ServedModel model, int[] ids, String param, String what) throws ApiError {
        if (ids.length >= model.contextLength()) {
            throw new ApiError(400, "invalid_request_error", param, "context_length_exceeded",
                    what + " has " + ids.length + " tokens, but this model's context is " + model.contextLength()
                            + " tokens and at least one must be left for the reply; shorten it");
        }
    }

    private static ChatMessage message(JsonNode m, String where) throws ApiError {
        if (!m.isObject()) {
            throw Params.wrongType("messages", "an array of objects with 'role' and 'content' (" + where + ")", m);
        }
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) {
            throw ApiError.invalid("messages", where + ".role must be a string (system, user, assistant, ...)");
        }
        String r = role.asText();
        if (!Set.of("system", "developer", "user", "assistant", "tool").contains(r)) {
            throw ApiError.invalid("messages", where + ".role '" + r
                    + "' is not one of system, developer, user, assistant, tool");
        }
        JsonNode content = m.get("content");
        String text;
        if (content == null || content.isNull()) {
            text = "";
        } else if (content.isTextual()) {
            text = content.asText();
        } else if (content.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiError.invalid("messages", where + ".content: only text parts {\"type\": \"text\","
                            + " \"text\": ...} are supported by this model");
                }
                b.append(part.get("text").asText());
            }
            text = b.toString();
        } else {
            throw Params.wrongType("messages", "a string or an array of text parts (" + where + ".content)", content);
        }
        return new ChatMessage(r, text);
    }
}
