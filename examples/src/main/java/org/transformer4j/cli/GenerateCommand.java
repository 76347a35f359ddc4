package org.transformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.Locale;
import org.transformer4j.backend.WeightPrecision;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.model.GenerationDefaults;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.serve.ChatMessage;
import org.transformer4j.serve.ChatTemplate;
import org.transformer4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Option;
/**
 * {@code generate}: continues a prompt with a decoder-only model (a GPT, or a Hugging Face Llama/Qwen2/Mistral
 * directory), streaming tokens to the terminal. The model is a model directory
 * run from its weights, or an exported directory ({@code model.onnx}, written by {@code export}) served by a backend
 * that serves exported graphs; both open through {@link LanguageModel} and decode through the same loops, so their
 * output is the same. With {@code --chat} the prompt is a conversation rendered by the directory's chat template
 * ({@link ChatTemplate}), the same as the server's chat endpoint renders it.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Continue a prompt with a GPT or Llama-family (Llama, Qwen2, Mistral) model directory, or with an exported model.onnx (served by ONNX Runtime).",
                "A directory without config.json but with model.onnx is served by a backend that serves exported graphs (onnx)."})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true,
            description = "model directory (config.json, model.safetensors, tokenizer.json) or a directory holding model.onnx")
    Path model;

    @Option(names = "--prompt", defaultValue = "\n", description = "text to continue (default: a newline); with --chat, the user's message")
    String prompt;

    @Option(names = "--chat", description = "chat: render the messages with the directory's chat template (tokenizer_config.json's"
            + " chat_template, else 'Role: text' lines) and print only the reply; the messages are --system (if given) and"
            + " --prompt as the user's, or those of --messages")
    boolean chat;
    @Option(names = "--system", description = "with --chat: the system message") String system;
    @Option(names = "--messages", description = "with --chat: a JSON file of the conversation, [{\"role\": ..., \"content\": ...}, ...]"
            + " or an OpenAI request body {\"messages\": [...]}; replaces --system and --prompt")
    Path messages;

    // Sampling flags left out take the directory's generation_config.json (Hugging Face semantics), else these:
    static final int MAX_TOKENS = 500;
    static final float TEMPERATURE = 0.8f;
    static final int TOP_K = 200;
    static final float TOP_P = 1.0f;

    @Option(names = "--max-tokens", description = "new tokens at most (default: generation_config.json's max_new_tokens, else " + MAX_TOKENS + ")") Integer maxTokens;
    @Option(names = "--temperature", description = "0 = greedy (default: generation_config.json's, else " + TEMPERATURE + ")") Float temperature;
    @Option(names = "--top-k", description = "0 = no limit (default: generation_config.json's, else " + TOP_K + ")") Integer topK;
    @Option(names = "--top-p", description = "nucleus sampling mass, 1 = off (default: generation_config.json's, else " + TOP_P + ")") Float topP;
    @Option(names = "--seed", defaultValue = "1337") long seed;
    @Option(names = "--stop", description = "stop when the text ends with this string (repeatable)") List<String> stops;
    @Option(names = "--crop-prompt", description = "keep only the last context-length tokens of a long prompt instead of failing") boolean crop;
    @Option(names = "--backend", description = "backend name (default: the selection rules, among the backends that can run what the directory holds)")
    String backend;
    @Option(names = "--threads", defaultValue = "0") int threads;
    @Option(names = "--adapter", paramLabel = "DIR", description = "a LoRA adapter in PEFT's layout (from train "
            + "--lora-rank), merged into --model's weights as it opens") Path adapter;
    @Option(names = "--weights", paramLabel = "float32|bf16", defaultValue = "float32", converter = Precision.class,
            description = "precision of the weight matrices in memory (default: float32). bf16 halves the weights' "
                    + "memory and speeds up batch-1 decoding (float32 accumulation, logits within bf16 rounding of "
                    + "float32's); cpu backend only, for a model directory run from its weights (an exported "
                    + "directory and the other backends refuse it)")
    WeightPrecision weights;

    @Override
    public Integer call() throws Exception {
        try (LanguageModel lm = LanguageModel.builder(model).backend(backend).threads(threads).seed(seed).adapter(adapter)
                .weights(weights).open()) {
            if (!lm.isGpt()) {
                throw new IllegalArgumentException(model + " holds a " + lm.config().modelType()
                        + " model; use 'translate' for encoder-decoder models");
            }
            Tokenizer tokenizer = lm.tokenizer();
            Set<Integer> eos = tokenizer.eosId().isPresent() ? Set.of(tokenizer.eosId().getAsInt()) : Set.of();
            List<String> stopStrings = stops == null ? List.of() : stops;
            GenerationOptions base = new GenerationOptions(MAX_TOKENS, TEMPERATURE, TOP_K, TOP_P, seed, eos,
                    stopStrings, crop);
            if (!lm.generationDefaults().equals(GenerationDefaults.NONE)) {
                base = base.withDefaults(lm.generationDefaults());
            }
            GenerationOptions options = new GenerationOptions(
                    maxTokens != null ? maxTokens : base.maxNewTokens(),
                    temperature != null ? temperature : base.temperature(),
                    topK != null ? topK : base.topK(),
                    topP != null ? topP : base.topP(),
                    seed, base.stopTokens(), stopStrings, crop);
            String text = prompt;
            if (chat) {
                ChatTemplate template = ChatTemplate.forDirectory(model);
                text = template.render(chatMessages());
                // the template's end of turn (tokenizer_config.json's eos_token) stops the reply too
                Set<Integer> stopTokens = new java.util.HashSet<>(options.stopTokens());
                tokenizer.specialTokenId(template.eosToken()).ifPresent(stopTokens::add);
                options = new GenerationOptions(options.maxNewTokens(), options.temperature(), options.topK(),
                        options.topP(), seed, stopTokens, stopStrings, crop);
            } else if (system != null || messages != null) {
                throw new IllegalArgumentException("--system and --messages need --chat");
            } else {
                System.out.print(prompt);
            }
            // a rendered chat prompt holds its special tokens (bos_token, ...) as text: encode adds none of its own
            lm.generate(text, options, piece -> {
                System.out.print(piece);
                System.out.flush();
            });
            System.out.println();
            return 0;
        }
    }

    /** The conversation of --chat: --messages' file, else --system and --prompt. */
    private List<ChatMessage> chatMessages() throws java.io.IOException {
        if (messages == null) {
            List<ChatMessage> list = new java.util.ArrayList<>();
            if (system != null) {
                list.add(new ChatMessage("system", system));
            }
            list.add(new ChatMessage("user", prompt));
            return list;
        }
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(messages.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("--messages " + messages + " is not valid JSON: " + e.getOriginalMessage());
        }
        com.fasterxml.jackson.databind.JsonNode array = root != null && root.isObject() ? root.get("messages") : root;
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException("--messages " + messages + " must hold a non-empty JSON array of"
                    + " {\"role\": ..., \"content\": ...} (or an object with such a \"messages\" array)");
        }
        List<ChatMessage> list = new java.util.ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            com.fasterxml.jackson.databind.JsonNode m = array.get(i);
            if (!m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw new IllegalArgumentException("--messages " + messages + ": message " + i + " needs a string"
                        + " \"role\" and a string \"content\", got " + m);
            }
            list.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        return list;
    }

    /** Reads {@code --weights}: {@code float32} or {@code bf16}, in any case. */
    static final class Precision implements ITypeConverter<WeightPrecision> {
        @Override
        public WeightPrecision convert(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "float32" -> WeightPrecision.FLOAT32;
                case "bf16" -> WeightPrecision.BF16;
                default -> throw new TypeConversionException("'" + value + "' is not a weight precision; give float32"
                        + " or bf16");
            };
        }
    }
}
