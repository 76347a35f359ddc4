package org.transformer4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.transformer4j.backend.BackendRequirement;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.data.PairDataset;
import org.transformer4j.data.Seq2SeqBatcher;
import org.transformer4j.examples.dates.DateSplits;
import org.transformer4j.examples.dates.DateTranslationTask;
import org.transformer4j.examples.dates.Pair;
import org.transformer4j.examples.translate.ExactMatch;
import org.transformer4j.examples.translate.GreedyTranslator;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.train.Trainer;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingData;
import org.transformer4j.train.TrainingListener;
import org.transformer4j.train.TrainingProgram;

/**
 * Trains the original encoder-decoder Transformer (post-LN, sinusoidal positions, ReLU) to translate dates
 * written in many human ways ("the twenty-second of November, 2026", "22.11.2026"...) into ISO form
 * ("2026-11-22"), then translates a few and measures the exact-match accuracy on held-out test dates.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp transformer4j.jar org.transformer4j.examples.TranslateDates [steps]
 * </pre>
 */
public final class TranslateDates {
    private TranslateDates() {
    }

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 2000;

        // Data: disjoint train / validation / test dates (the test split shares no calendar day with training).
        DateSplits splits = DateTranslationTask.splits(42, 50_000, 1_000, 1_000);

        // A character tokenizer over every source and target, plus the three specials an encoder-decoder needs.
        StringBuilder alphabet = new StringBuilder();
        for (List<Pair> split : List.of(splits.train(), splits.validation(), splits.test())) {
            split.forEach(p -> alphabet.append(p.source()).append(p.target()));
        }
        CharTokenizer tokenizer = CharTokenizer.fromText(alphabet.toString(), List.of(Tokenizer.PAD, Tokenizer.BOS, Tokenizer.EOS));

        // Batches: sources padded and masked; decoder input <bos> + target; targets target + <eos>.
        int context = DateTranslationTask.MAX_SOURCE_LENGTH;
        PairDataset train = pairs(tokenizer, splits.train());
        PairDataset validation = pairs(tokenizer, splits.validation());
        TrainingData data = new TrainingData(new Seq2SeqBatcher(train, 64, context, 1),
                new Seq2SeqBatcher(train, 64, context, 2), new Seq2SeqBatcher(validation, 64, context, 3));

        // The model: 2 encoder + 2 decoder blocks, 4 heads, 64 wide; the builder starts from the paper's choices.
        Seq2SeqConfig config = Seq2SeqConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(context)
                .encoderLayers(2).decoderLayers(2).heads(4).embeddingDim(64).dropout(0f).build();
        Seq2SeqModel model = new Seq2SeqModel(config);
        TrainingConfig training = TrainingConfig.builder().maxSteps(steps).learningRate(2e-3f).minLearningRate(1e-4f)
                .warmupSteps(100).weightDecay(0.01f).betas(0.9f, 0.98f).evalInterval(Math.max(1, steps / 4)).evalBatches(10).build();

        try (TrainingEngine engine = Backends.openTraining(null, EngineOptions.defaults());
             TrainingProgram program = engine.compileTraining(model, Initializer.initialize(model.parameterSpecs(), 1337))) {
            new Trainer(program, training, data).listener(new TrainingListener() {
                @Override
                public void onEvaluation(EvalMetrics m) {
                    System.out.printf("step %d: train loss %.4f, val loss %.4f%n", m.step(), m.trainLoss(), m.valLoss());
                }
            }).run();
            new ModelDirectory(config, program.weights(), tokenizer).save(Path.of("runs/translate-dates"));

            try (LoadedWeights weights = engine.load(program.weights())) {
                GreedyTranslator translator = new GreedyTranslator(model, engine, weights, tokenizer);
                for (String s : List.of("the twenty-second of November, 2026", "22.11.2026", "Sun, Mar 1, 1970")) {
                    System.out.println(s + " -> " + translator.translate(s));
                }
                ExactMatch m = ExactMatch.evaluate(translator, splits.test().stream().map(Pair::source).toList(),
                        splits.test().stream().map(Pair::target).toList(), 100);
                System.out.println("held-out test dates: " + m);
            }
        }
    }

    private static PairDataset pairs(Tokenizer tokenizer, List<Pair> pairs) {
        List<String> sources = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        for (Pair p : pairs) {
            sources.add(p.source());
            targets.add(p.target());
        }
        return PairDataset.encode(tokenizer, sources, targets);
    }
}
