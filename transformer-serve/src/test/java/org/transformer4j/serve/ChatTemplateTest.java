package org.transformer4j.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real chat templates (the text of the {@code chat_template} that Llama 3, Qwen2, SmolLM2 and Mistral publish in
 * their tokenizer_config.json) rendered by Jinjava; the expected prompts are written out by hand from the Jinja
 * semantics that Hugging Face's {@code apply_chat_template} applies (Jinja2: filters bind tighter than
 * {@code +}, string literals know {@code \n}, {@code trim} strips whitespace at both ends).
 */
class ChatTemplateTest {
    /** Meta-Llama-3-8B-Instruct's template. */
    static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content']"
            + " | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
            + "{{ content }}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
    /** Qwen2-7B-Instruct's template (ChatML with a default system message). */
    static final String QWEN2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    /** SmolLM2-135M-Instruct's template: the same with real newlines inside the string literals. */
    static final String SMOLLM2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}"
            + "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
    /** Mistral-7B-Instruct-v0.1's template, which refuses roles that do not alternate. */
    static final String MISTRAL = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user')"
            + " != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate"
            + " user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}"
            + "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ message['content'] + eos_token + ' ' }}{% else %}{{ raise_exception('Only user and assistant roles"
            + " are supported!') }}{% endif %}{% endfor %}";

    /** Qwen2.5's template without its tools part: many lines, whitespace control, attribute access. */
    static final String QWEN25 = """
            {%- if messages[0]['role'] == 'system' %}
                {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
            {%- else %}
                {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}
            {%- endif %}
            {%- for message in messages %}
                {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant") %}
                    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
                {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}
                {{- '<|im_start|>assistant\\n' }}
            {%- endif %}
            """;
    /** Block tags on lines of their own: trim_blocks and lstrip_blocks remove their newlines and indentation. */
    static final String LINES = """
            {% for message in messages %}
              {% if message.role == 'user' %}
            {{ message.role }}: {{ message.content }}
              {% endif %}
            {% endfor %}
            """;

    static final List<ChatMessage> CHAT = List.of(new ChatMessage("system", "You are terse."),
            new ChatMessage("user", "  What is 2+2?\n"), new ChatMessage("assistant", "4"),
            new ChatMessage("user", "And 3+3?"));

    @Test
    void llama3() {
        ChatTemplate t = ChatTemplate.jinja(LLAMA3, "<|begin_of_text|>", "<|eot_id|>");
        assertThat(t.render(CHAT)).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nAnd 3+3?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(t.render(CHAT.subList(1, 2), false)).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>");
    }

    @Test
    void qwen2AddsItsDefaultSystemMessageAndTheGenerationPrompt() {
        ChatTemplate t = ChatTemplate.jinja(QWEN2, null, "<|im_end|>");
        List<ChatMessage> user = List.of(new ChatMessage("user", "Hi"));
        assertThat(t.render(user)).isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(t.render(user, false)).isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n");
        assertThat(t.render(CHAT)).isEqualTo("<|im_start|>system\nYou are terse.<|im_end|>\n"
                + "<|im_start|>user\n  What is 2+2?\n<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                + "<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void multiLineTemplatesRenderAsWithTrimBlocksAndLstripBlocks() {
        ChatTemplate t = ChatTemplate.jinja(QWEN25, null, "<|im_end|>");
        assertThat(t.render(CHAT)).isEqualTo("<|im_start|>system\nYou are terse.<|im_end|>\n"
                + "<|im_start|>user\n  What is 2+2?\n<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                + "<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n");
        assertThat(t.render(List.of(new ChatMessage("user", "Hi")))).isEqualTo("<|im_start|>system\nYou are Qwen,"
                + " created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\n");
        assertThat(ChatTemplate.jinja(LINES, null, null).render(CHAT)).isEqualTo("user:   What is 2+2?\n\n"
                + "user: And 3+3?\n");
    }

    @Test
    void smolLm2() {
        ChatTemplate t = ChatTemplate.jinja(SMOLLM2, null, "<|im_end|>");
        assertThat(t.render(List.of(new ChatMessage("user", "Hi")))).isEqualTo("<|im_start|>system\nYou are a"
                + " helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi"
                + "<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void raiseExceptionRefusesTheMessagesWithTheTemplatesOwnWords() {
        ChatTemplate t = ChatTemplate.jinja(MISTRAL, "<s>", "</s>");
        List<ChatMessage> ok = List.of(new ChatMessage("user", "Hi"), new ChatMessage("assistant", "Hello"),
                new ChatMessage("user", "Bye"));
        assertThat(t.render(ok)).isEqualTo("<s>[INST] Hi [/INST]Hello</s> [INST] Bye [/INST]");
        assertThatThrownBy(() -> t.render(List.of(new ChatMessage("assistant", "x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Conversation roles must alternate user/assistant/user/assistant/...");
        assertThatThrownBy(() -> t.render(List.of(new ChatMessage("tool", "x"))))
                .hasMessageContaining("Conversation roles must alternate");
        assertThatThrownBy(() -> t.render(CHAT)).hasMessageContaining("Conversation roles must alternate");
    }

    @Test
    void aDirectorysTokenizerConfigGivesTheTemplateAndItsTokens(@TempDir Path dir) throws Exception {
        assertThat(ChatTemplate.forDirectory(dir).isJinja()).isFalse();
        Files.writeString(dir.resolve("tokenizer_config.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode().put("chat_template", LLAMA3).put("eos_token", "<|eot_id|>")
                .set("bos_token", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                        .put("content", "<|begin_of_text|>").put("special", true)).toString());
        ChatTemplate t = ChatTemplate.forDirectory(dir);
        assertThat(t.isJinja()).isTrue();
        assertThat(t.render(List.of(new ChatMessage("user", "Hi")))).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void thePlainTemplateForModelsWithout() {
        assertThat(ChatTemplate.plain().render(CHAT.subList(2, 4))).isEqualTo("Assistant: 4\nUser: And 3+3?\nAssistant:");
    }
}
