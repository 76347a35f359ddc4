package org.transformer4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tokenizer.CharTokenizer;

/**
 * {@code generate --chat}: the conversation (--system and --prompt, or a --messages file) rendered by the directory's
 * chat template and continued; the reply equals generating from the prompt that the template gives, written out
 * here by hand.
 */
class GenerateChatCliTest {
    static final String TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
            + "{% if add_generation_prompt %}assistant:{% endif %}";

    @Test
    void chatRendersTheTemplateAndPrintsTheReply(@TempDir Path dir) throws Exception {
        CharTokenizer tok = CharTokenizer.fromText("system user assistant: be brief. to be or not?\n");
        GptConfig c = GptConfig.builder().vocabSize(tok.vocabSize()).contextLength(64).layers(1).heads(2)
                .embeddingDim(8).build();
        Path model = dir.resolve("model");
        new ModelDirectory(c, Initializer.initialize(ModelDirectory.modelFor(c).parameterSpecs(), 5), tok).save(model);
        Files.writeString(model.resolve("tokenizer_config.json"), new ObjectMapper().createObjectNode()
                .put("chat_template", TEMPLATE).toString());

        String rendered = "system: be brief.\nuser: to be or not?\nassistant:";
        String expected;
        try (LanguageModel lm = LanguageModel.builder(model).backend("cpu").threads(1).open()) {
            expected = lm.generate(rendered, GenerationOptions.greedy(6)).text();
        }
        String out = CliOutput.ok("generate", "--model", model.toString(), "--chat", "--system", "be brief.",
                "--prompt", "to be or not?", "--max-tokens", "6", "--temperature", "0", "--threads", "1",
                "--backend", "cpu");
        assertThat(out).isEqualTo(expected + System.lineSeparator());

        Path messages = dir.resolve("messages.json");
        Files.writeString(messages, "{\"messages\": [{\"role\": \"system\", \"content\": \"be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"to be or not?\"}]}");
        assertThat(CliOutput.ok("generate", "--model", model.toString(), "--chat", "--messages", messages.toString(),
                "--max-tokens", "6", "--temperature", "0", "--threads", "1", "--backend", "cpu")).isEqualTo(out);

        Files.writeString(messages, "[{\"role\": \"user\"}]");
        CliOutput.Run bad = CliOutput.run("generate", "--model", model.toString(), "--chat", "--messages",
                messages.toString(), "--threads", "1", "--backend", "cpu");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("message 0", "\"content\"");
    }

    /** A model whose vocabulary is padded beyond its tokenizer: generate never picks an id the tokenizer lacks. */
    @Test
    void aVocabularyPaddedBeyondTheTokenizerGeneratesOnlyItsIds(@TempDir Path dir) throws Exception {
        String alphabet = "to be or not, that is the question\n";
        CharTokenizer tok = CharTokenizer.fromText(alphabet);
        GptConfig c = GptConfig.builder().vocabSize(tok.vocabSize() * 4).contextLength(96).layers(1).heads(2)
                .embeddingDim(8).build();
        Path model = dir.resolve("padded");
        new ModelDirectory(c, Initializer.initialize(ModelDirectory.modelFor(c).parameterSpecs(), 9), tok).save(model);
        String out = CliOutput.ok("generate", "--model", model.toString(), "--prompt", "to be", "--max-tokens", "80",
                "--temperature", "2", "--top-k", "0", "--threads", "1", "--backend", "cpu");
        String generated = out.substring("to be".length(), out.length() - System.lineSeparator().length());
        assertThat(generated).hasSize(80);
        assertThat(generated.chars()).allSatisfy(ch -> assertThat(alphabet.indexOf(ch)).isNotNegative());
    }
}
