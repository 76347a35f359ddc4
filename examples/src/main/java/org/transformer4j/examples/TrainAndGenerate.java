package org.transformer4j.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.transformer4j.backend.BackendRequirement;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.data.TokenDataset;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.train.Trainer;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingData;
import org.transformer4j.train.TrainingListener;
import org.transformer4j.train.TrainingProgram;

/**
 * Trains a small character-level GPT on a text (by default the bundled tiny Shakespeare), saves it as a model
 * directory, and samples from it.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp transformer4j.jar org.transformer4j.examples.TrainAndGenerate [text-file [steps]]
 * </pre>
 */
public final class TrainAndGenerate {
    private TrainAndGenerate() {
    }

    public static void main(String[] args) throws IOException {
        String text = args.length > 0 ? Files.readString(Path.of(args[0])) : bundledShakespeare();
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 500;

        // Tokenizer and data: one token per character; the first 90% trains, the rest validates.
        CharTokenizer tokenizer = CharTokenizer.fromText(text);
        TokenDataset dataset = TokenDataset.fromText(text, tokenizer, 0.9);
        int batchSize = 12;
        int blockSize = 64;
        TrainingData data = new TrainingData(
                dataset.trainSampler(batchSize, blockSize, 1),       // batches for the optimizer
                dataset.trainSampler(batchSize, blockSize, 2),       // fixed batches for the train-loss estimate
                dataset.validationSampler(batchSize, blockSize, 3)); // and for the validation loss

        // The model: nanoGPT's shakespeare-char sizes (4 layers, 4 heads, 128 wide, pre-LN, GELU).
        GptConfig config = GptConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(blockSize).build();
        GptModel model = new GptModel(config);
        TrainingConfig training = TrainingConfig.builder().maxSteps(steps).warmupSteps(Math.min(100, steps / 5))
                .evalInterval(Math.max(1, steps / 4)).evalBatches(20).build();

        // Any backend that trains; the selection rules apply (-Dtransformer4j.backend=..., TRANSFORMER4J_BACKEND).
        try (TrainingEngine engine = Backends.openTraining(null, EngineOptions.defaults());
             TrainingProgram program = engine.compileTraining(model, Initializer.initialize(model.parameterSpecs(), 1337))) {
            Trainer trainer = new Trainer(program, training, data).listener(new TrainingListener() {
                @Override
                public void onEvaluation(EvalMetrics m) {
                    System.out.printf("step %d: train loss %.3f, val loss %.3f%n", m.step(), m.trainLoss(), m.valLoss());
                }
            });
            trainer.run();

            // Save: config.json, model.safetensors, tokenizer.json (loadable with ModelDirectory.load).
            Path out = Path.of("runs/train-and-generate");
            new ModelDirectory(config, program.weights(), tokenizer).save(out);
            System.out.println("saved to " + out);

            // Sample 300 characters after a newline: temperature 0.8, top-k 200, seeded.
            try (LoadedWeights weights = engine.load(program.weights())) {
                GptGenerator generator = new GptGenerator(model, engine.inferenceOps(), weights);
                int[] tokens = generator.generate(tokenizer.encode("\n"), GenerationOptions.sampling(300, 0.8f, 200, 42), t -> true);
                System.out.println(tokenizer.decode(tokens));
            }
        }
    }

    private static String bundledShakespeare() throws IOException {
        try (InputStream in = TrainAndGenerate.class.getResourceAsStream("tinyshakespeare.txt")) {
            if (in == null) {
                throw new IOException("the bundled tinyshakespeare.txt is missing; pass a text file as the first argument");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
