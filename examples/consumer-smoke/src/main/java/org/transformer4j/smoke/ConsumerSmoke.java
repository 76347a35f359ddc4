package org.transformer4j.smoke;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.transformer4j.generate.GeneratedText;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tokenizer.CharTokenizer;

/**
 * An application using transformer4j from its published artifacts: opens a model directory with the backend the
 * selection rules pick (system property {@code transformer4j.backend}, environment variable
 * {@code TRANSFORMER4J_BACKEND}, {@code transformer4j.properties} on the classpath, else the best available),
 * generates 8 tokens greedily, and prints {@code backend=NAME}, {@code tokens=COUNT} and {@code generated=TEXT}.
 *
 * <pre>java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp ... \
 *     org.transformer4j.smoke.ConsumerSmoke MODEL_DIR [PROMPT]</pre>
 */
public final class ConsumerSmoke {
    private ConsumerSmoke() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: ConsumerSmoke MODEL_DIR [PROMPT]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        String prompt = args.length > 1 ? args[1] : "to be";
        try (LanguageModel lm = LanguageModel.open(dir)) {
            GeneratedText out = lm.generate(prompt, GenerationOptions.greedy(8));
            System.out.println("backend=" + lm.backend());
            System.out.println("tokens=" + out.tokens().length);
            System.out.println("generated=" + out.text());
        }
    }

    /**
     * Writes a tiny GPT with seeded random weights (1 layer, 2 heads, 16 wide, character tokenizer) to {@code dir}.
     *
     * @param dir the model directory to create
     * @throws IOException when it cannot be written
     */
    public static void createTinyModel(Path dir) throws IOException {
        CharTokenizer tokenizer = CharTokenizer.fromText("to be or not to be, that is the question\n");
        GptConfig config = GptConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(32).layers(1).heads(2)
                .embeddingDim(16).feedForwardDim(32).dropout(0f).build();
        GptModel model = new GptModel(config);
        Files.createDirectories(dir);
        new ModelDirectory(config, Initializer.initialize(model.parameterSpecs(), 7), tokenizer).save(dir);
    }
}
