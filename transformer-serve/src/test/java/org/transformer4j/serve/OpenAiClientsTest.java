package org.transformer4j.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.inference.LanguageModel;

/**
 * Real OpenAI clients (the official openai-java SDK and LangChain4j) against a server on a free loopback port, on a
 * tiny real GPT run by backend-cpu (from its weights) and by backend-onnx (its ONNX export): completions and chat,
 * streamed and not, equal the library's own generation ({@link LanguageModel#generate}) for the same seed.
 */
class OpenAiClientsTest {
    private static final String NAME = "tiny";
    private static Path cpuDir;
    private static Path onnxDir;

    @BeforeAll
    static void models(@TempDir Path tmp) throws IOException {
        cpuDir = TinyModels.writeGptDirectory(tmp.resolve(NAME), 48);
        onnxDir = TinyModels.exportOnnx(cpuDir, tmp.resolve("onnx").resolve(NAME));
    }

    private static LanguageModel open(String backend) throws IOException {
        return LanguageModel.builder(backend.equals("onnx") ? onnxDir : cpuDir).backend(backend).threads(1).open();
    }

    private static String expected(LanguageModel lm, String prompt, int max, float temperature, long seed) {
        return lm.generate(prompt, new GenerationOptions(max, temperature, 0, 1f, seed, Set.of(), List.of(), false))
                .text();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "onnx"})
    void openAiJavaCompletionsAndChatEqualTheLibrary(String backend) throws Exception {
        try (LanguageModel lm = open(backend);
             OpenAiServer server = OpenAiServer.builder(lm).port(0).start()) {
            assertThat(server.modelId()).isEqualTo(NAME);
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("unused").build();
            try {
                String prompt = "ROMEO:";
                for (double temperature : new double[] {0, 0.9}) {
                    String want = expected(lm, prompt, 20, (float) temperature, 42);
                    Completion c = client.completions().create(CompletionCreateParams.builder().model(NAME)
                            .prompt(prompt).maxTokens(20).temperature(temperature).seed(42).build());
                    assertThat(c.choices().get(0).text()).as("completion at T=%s", temperature).isEqualTo(want);
                    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(20);
                    assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(prompt.length());

                    StringBuilder streamed = new StringBuilder();
                    try (StreamResponse<Completion> s = client.completions().createStreaming(
                            CompletionCreateParams.builder().model(NAME).prompt(prompt).maxTokens(20)
                                    .temperature(temperature).seed(42).build())) {
                        s.stream().forEach(chunk -> chunk.choices().forEach(ch -> streamed.append(ch.text())));
                    }
                    assertThat(streamed.toString()).isEqualTo(want);
                }

                String rendered = "User: hi there\nAssistant:";
                String want = expected(lm, rendered, 12, 0f, 5);
                ChatCompletion chat = client.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model(NAME).addUserMessage("hi there").maxCompletionTokens(12).temperature(0.0).seed(5)
                        .build());
                assertThat(chat.choices().get(0).message().content()).hasValue(want);
                assertThat(chat.usage().orElseThrow().promptTokens()).isEqualTo(rendered.length());

                StringBuilder streamed = new StringBuilder();
                try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                        ChatCompletionCreateParams.builder().model(NAME).addUserMessage("hi there")
                                .maxCompletionTokens(12).temperature(0.0).seed(5).build())) {
                    s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content()
                            .ifPresent(streamed::append)));
                }
                assertThat(streamed.toString()).isEqualTo(want);
                assertThat(client.models().list().data().get(0).id()).isEqualTo(NAME);
            } finally {
                client.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu"})
    void langChain4jChatModelsEqualTheLibrary(String backend) throws Exception {
        try (LanguageModel lm = open(backend);
             OpenAiServer server = OpenAiServer.builder(lm).port(0).start()) {
            String want = expected(lm, "User: hi there\nAssistant:", 10, 0.7f, 11);
            OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                    .modelName(NAME).temperature(0.7).seed(11).maxTokens(10).build();
            assertThat(model.chat("hi there")).isEqualTo(want);

            OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl())
                    .apiKey("unused").modelName(NAME).temperature(0.7).seed(11).maxTokens(10).build();
            StringBuilder parts = new StringBuilder();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            streaming.chat("hi there", new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partial) {
                    parts.append(partial);
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    done.complete(response);
                }

                @Override
                public void onError(Throwable error) {
                    done.completeExceptionally(error);
                }
            });
            ChatResponse response = done.get(60, TimeUnit.SECONDS);
            assertThat(parts.toString()).isEqualTo(want);
            assertThat(response.aiMessage().text()).isEqualTo(want);
        }
    }
}
