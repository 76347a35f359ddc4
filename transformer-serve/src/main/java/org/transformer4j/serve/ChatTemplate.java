package org.transformer4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns chat messages into the prompt text a model was trained on.
 *
 * <ul>
 *   <li>{@link #jinja}: a Hugging Face chat template (the {@code chat_template} of a model directory's
 *       {@code tokenizer_config.json}), rendered by Jinjava with the variables those templates use:
 *       {@code messages} (each with {@code role} and {@code content}), {@code add_generation_prompt},
 *       {@code bos_token}, {@code eos_token} and the function {@code raise_exception(message)}, whose message is
 *       reported to the client as a 400; with {@code trim_blocks} and {@code lstrip_blocks}, as Hugging Face's
 *       {@code apply_chat_template} renders them.</li>
 *   <li>{@link #plain()}: for models without a template, each message on its own line as {@code "Role: content\n"}
 *       (the role capitalised: {@code System}, {@code User}, {@code Assistant}, ...), followed by
 *       {@code "Assistant:"} for the model to continue.</li>
 * </ul>
 */
public final class ChatTemplate {
    private static final int MAX_OUTPUT = 4 << 20;

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    private ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        if (source == null) {
            this.jinjava = null;
        } else {
            // trim_blocks and lstrip_blocks, as the Jinja environment of Hugging Face's apply_chat_template; the
            // overrides that make Jinjava behave as Jinja does ({{- ... -}} trims, operator precedence, ...)
            LegacyOverrides jinja = LegacyOverrides.newBuilder().withUseTrimmingForNotesAndExpressions(true)
                    .withParseWhitespaceControlStrictly(true).withUseNaturalOperatorPrecedence(true)
                    .withEvaluateMapKeys(true).withIterateOverMapKeys(true).withKeepNullableLoopValues(true)
                    .build();
            this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withMaxOutputSize(MAX_OUTPUT).withTrimBlocks(true)
                    .withLstripBlocks(true).withLegacyOverrides(jinja).build());
            jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                    ChatTemplate.class, "raiseException", String.class));
        }
    }

    /**
     * The plain template (see the class documentation).
     *
     * @return the template that writes each message as {@code Role: text} lines and ends with {@code Assistant:}
     */
    public static ChatTemplate plain() {
        return new ChatTemplate(null, "", "");
    }

    /**
     * A Jinja chat template with the special-token texts it may use.
     *
     * @param template the Jinja source, as in {@code tokenizer_config.json}'s {@code chat_template}
     * @param bosToken the text of the beginning-of-sequence token ({@code bos_token}); null for none
     * @param eosToken the text of the end-of-sequence token ({@code eos_token}); null for none
     * @return the template, rendering with Jinjava
     */
    public static ChatTemplate jinja(String template, String bosToken, String eosToken) {
        Objects.requireNonNull(template, "template");
        return new ChatTemplate(template, bosToken == null ? "" : bosToken, eosToken == null ? "" : eosToken);
    }

    /**
     * The template of a model directory: its {@code tokenizer_config.json}'s {@code chat_template} (a string; for the
     * list form, the entry named {@code default}) with its {@code bos_token} and {@code eos_token}; else
     * {@link #plain()}.
     *
     * @param directory a model directory
     * @return the directory's chat template, or the plain one when it declares none
     * @throws UncheckedIOException     if the file exists but cannot be read
     * @throws IllegalArgumentException if it is not valid JSON or its {@code chat_template} has an unknown form
     */
    public static ChatTemplate forDirectory(Path directory) {
        Path file = directory.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(file)) {
            return plain();
        }
        JsonNode config;
        try {
            config = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage()
                    + "; fix or remove it", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        JsonNode template = config.get("chat_template");
        if (template == null || template.isNull()) {
            return plain();
        }
        String text = null;
        if (template.isTextual()) {
            text = template.asText();
        } else if (template.isArray()) {
            for (JsonNode named : template) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
                    text = named.path("template").asText();
                }
            }
        }
        if (text == null) {
            throw new IllegalArgumentException(file + ": chat_template must be a string or a list of {name, template}"
                    + " with a 'default' entry; was " + template.getNodeType());
        }
        return jinja(text, tokenText(config.get("bos_token")), tokenText(config.get("eos_token")));
    }

    private static String tokenText(JsonNode token) {
        if (token == null || token.isNull()) {
            return "";
        }
        if (token.isTextual()) {
            return token.asText();
        }
        return token.path("content").asText("");
    }

    /**
     * The text of the end-of-sequence token the template ends turns with ({@code eos_token}).
     *
     * @return the token's text; "" when none
     */
    public String eosToken() {
        return eosToken;
    }

    /**
     * True for a Jinja template, false for the plain one.
     *
     * @return whether {@link #render} runs a Jinja template
     */
    public boolean isJinja() {
        return source != null;
    }

    /**
     * The prompt for {@code messages}, ending where the assistant's reply begins ({@code add_generation_prompt}
     * true).
     *
     * @param messages the conversation so far, oldest first
     * @return the prompt text to tokenize and continue
     * @throws IllegalArgumentException if the template refuses the messages or fails to render, with its message
     */
    public String render(List<ChatMessage> messages) {
        return render(messages, true);
    }

    /**
     * The text of {@code messages}; with {@code addGenerationPrompt} it ends where the assistant's reply begins
     * (Hugging Face's {@code add_generation_prompt}), else after the last message.
     *
     * @param messages            the conversation so far, oldest first
     * @param addGenerationPrompt whether to end with the opening of the assistant's turn, for generation
     * @return the rendered text
     * @throws IllegalArgumentException if the template refuses the messages or fails to render, with its message
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (source == null) {
            StringBuilder out = new StringBuilder();
            for (ChatMessage m : messages) {
                out.append(capitalize(m.role())).append(": ").append(m.content()).append('\n');
            }
            return addGenerationPrompt ? out.append("Assistant:").toString() : out.toString();
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            list.add(map);
        }
        Map<String, Object> variables = new HashMap<>();
        variables.put("messages", list);
        variables.put("add_generation_prompt", addGenerationPrompt);
        variables.put("bos_token", bosToken);
        variables.put("eos_token", eosToken);
        RenderResult result = jinjava.renderForResult(source, variables);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                String message = error.getMessage();
                Throwable cause = error.getException();
                for (Throwable t = cause; t != null; t = t.getCause()) {
                    if (t instanceof TemplateRefusal refusal) {
                        message = refusal.getMessage();
                    }
                }
                throw new IllegalArgumentException("the model's chat template refused these messages: " + message);
            }
        }
        return result.getOutput();
    }

    /**
     * The {@code raise_exception} function of Hugging Face chat templates.
     *
     * @param message why the template refuses the conversation
     * @return never: it always throws
     */
    public static String raiseException(String message) {
        throw new TemplateRefusal(message);
    }

    private static String capitalize(String role) {
        return role.isEmpty() ? role : role.substring(0, 1).toUpperCase(Locale.ROOT) + role.substring(1);
    }

    /** A template's own {@code raise_exception}. */
    private static final class TemplateRefusal extends RuntimeException {
        TemplateRefusal(String message) {
            super(message, null, false, false);
        }
    }
}
