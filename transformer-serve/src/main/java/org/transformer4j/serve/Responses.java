package org.transformer4j.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.transformer4j.serve.batch.SampledToken;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * OpenAI's response shapes: {@code text_completion} and {@code chat.completion} objects, their streamed chunks,
 * {@code usage}, and both log-probability forms (the completions API's parallel arrays, the chat API's
 * {@code content} list). Every field the official clients read is present, {@code null} where it does not apply.
 */
final class Responses {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ServedModel model;
    private final Tokenizer tokenizer;

    Responses(ServedModel model) {
        this.model = model;
        this.tokenizer = model.tokenizer();
    }

    ObjectNode completion(String id, long created, Job job, GenerationCall call) {
        ObjectNode root = head(id, "text_completion", created);
        ArrayNode list = root.putArray("choices");
        for (GenerationCall.Choice c : call.choices()) {
            ObjectNode choice = list.addObject();
            String prefix = job.echo() ? job.promptTexts().get(c.index / job.n()) : "";
            choice.put("text", prefix + c.text.text());
            choice.put("index", c.index);
            if (job.topLogprobs() >= 0) {
                choice.set("logprobs", completionLogprobs(c.tokens, 0));
            } else {
                choice.putNull("logprobs");
            }
            choice.put("finish_reason", c.finishReason);
        }
        root.set("usage", usage(job.promptTokens(), call.completionTokens()));
        return root;
    }

    ObjectNode chat(String id, long created, Job job, GenerationCall call) {
        ObjectNode root = head(id, "chat.completion", created);
        ArrayNode list = root.putArray("choices");
        for (GenerationCall.Choice c : call.choices()) {
            ObjectNode choice = list.addObject();
            choice.put("index", c.index);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", c.text.text());
            message.putNull("refusal");
            if (job.topLogprobs() >= 0) {
                choice.set("logprobs", chatLogprobs(c.tokens));
            } else {
                choice.putNull("logprobs");
            }
            choice.put("finish_reason", c.finishReason);
        }
        root.set("usage", usage(job.promptTokens(), call.completionTokens()));
        return root;
    }

    /** A streamed completion chunk: one choice's new text, or its finish reason. */
    ObjectNode completionChunk(String id, long created, int index, String text, List<SampledToken> tokens,
            boolean logprobs, String finishReason) {
        ObjectNode root = head(id, "text_completion", created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("text", text);
        choice.put("index", index);
        if (logprobs && !tokens.isEmpty()) {
            choice.set("logprobs", completionLogprobs(tokens, 0));
        } else {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", finishReason);
        return root;
    }

    /** A streamed chat chunk; {@code role} only in a choice's first chunk, {@code text} null in its last. */
    ObjectNode chatChunk(String id, long created, int index, boolean role, String text, List<SampledToken> tokens,
            boolean logprobs, String finishReason) {
        ObjectNode root = head(id, "chat.completion.chunk", created);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", index);
        ObjectNode delta = choice.putObject("delta");
        if (role) {
            delta.put("role", "assistant");
        }
        if (text != null) {
            delta.put("content", text);
        }
        if (logprobs && !tokens.isEmpty()) {
            choice.set("logprobs", chatLogprobs(tokens));
        } else {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", finishReason);
        return root;
    }

    /** The last chunk of a stream with {@code stream_options.include_usage}: no choices, the usage. */
    ObjectNode usageChunk(String id, String object, long created, int promptTokens, int completionTokens) {
        ObjectNode root = head(id, object, created);
        root.putArray("choices");
        root.set("usage", usage(promptTokens, completionTokens));
        return root;
    }

    ObjectNode models(long created) {
        ObjectNode root = JSON.objectNode();
        root.put("object", "list");
        ObjectNode m = root.putArray("data").addObject();
        m.put("id", model.id());
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "transformer4j");
        return root;
    }

    private ObjectNode head(String id, String object, long created) {
        ObjectNode root = JSON.objectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model.id());
        root.putNull("system_fingerprint");
        return root;
    }

    private static ObjectNode usage(int prompt, int completion) {
        ObjectNode u = JSON.objectNode();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        return u;
    }

    private ObjectNode completionLogprobs(List<SampledToken> tokens, int firstOffset) {
        ObjectNode lp = JSON.objectNode();
        ArrayNode texts = lp.putArray("tokens");
        ArrayNode values = lp.putArray("token_logprobs");
        ArrayNode tops = lp.putArray("top_logprobs");
        ArrayNode offsets = lp.putArray("text_offset");
        int offset = firstOffset;
        for (SampledToken t : tokens) {
            String text = tokenText(t.id());
            texts.add(text);
            values.add(t.logprob());
            ObjectNode top = tops.addObject();
            for (int k = 0; k < t.topIds().length; k++) {
                top.put(tokenText(t.topIds()[k]), t.topLogprobs()[k]);
            }
            offsets.add(offset);
            offset += text.length();
        }
        return lp;
    }

    private ObjectNode chatLogprobs(List<SampledToken> tokens) {
        ObjectNode lp = JSON.objectNode();
        ArrayNode content = lp.putArray("content");
        for (SampledToken t : tokens) {
            ObjectNode entry = tokenEntry(t.id(), t.logprob());
            ArrayNode top = entry.putArray("top_logprobs");
            for (int k = 0; k < t.topIds().length; k++) {
                top.add(tokenEntry(t.topIds()[k], t.topLogprobs()[k]));
            }
            content.add(entry);
        }
        lp.putNull("refusal");
        return lp;
    }

    private ObjectNode tokenEntry(int id, float logprob) {
        ObjectNode e = JSON.objectNode();
        String text = tokenText(id);
        e.put("token", text);
        e.put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return e;
    }

    private String tokenText(int id) {
        return tokenizer.decode(new int[] {id});
    }
}
