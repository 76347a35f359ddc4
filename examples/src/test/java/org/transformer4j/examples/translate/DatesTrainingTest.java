package org.transformer4j.examples.translate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.data.PairDataset;
import org.transformer4j.data.Seq2SeqBatcher;
import org.transformer4j.examples.dates.DateSplits;
import org.transformer4j.examples.dates.DateTranslationTask;
import org.transformer4j.examples.dates.Pair;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.train.Trainer;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingData;
import org.transformer4j.train.TrainingProgram;

/**
 * Trains a small encoder-decoder (the paper's post-LN, sinusoidal, ReLU) on the date task for a few hundred
 * steps and checks that greedy decoding gets most held-out test dates exactly right: far above chance (a
 * random 10-character ISO date is right about once in 10^10) and only reachable by learning the task.
 */
class DatesTrainingTest {
    static final int STEPS = Integer.getInteger("datesTest.steps", 400);

    @Test
    void aSmallModelTranslatesMostHeldOutDatesExactly() {
        DateSplits splits = DateTranslationTask.splits(42, 20_000, 100, 200);
        StringBuilder alphabet = new StringBuilder();
        for (List<Pair> l : List.of(splits.train(), splits.validation(), splits.test())) {
            l.forEach(p -> alphabet.append(p.source()).append(p.target()));
        }
        CharTokenizer tok = CharTokenizer.fromText(alphabet.toString(), List.of(Tokenizer.PAD, Tokenizer.BOS, Tokenizer.EOS));
        PairDataset train = dataset(tok, splits.train());
        PairDataset val = dataset(tok, splits.validation());
        int ctx = DateTranslationTask.MAX_SOURCE_LENGTH;
        Seq2SeqConfig config = Seq2SeqConfig.builder().vocabSize(tok.vocabSize()).contextLength(ctx)
                .encoderLayers(Integer.getInteger("datesTest.enc", 1)).decoderLayers(Integer.getInteger("datesTest.dec", 1))
                .heads(4).embeddingDim(Integer.getInteger("datesTest.embd", 64)).dropout(0f).build();
        Seq2SeqModel model = new Seq2SeqModel(config);
        TrainingConfig training = TrainingConfig.builder().maxSteps(STEPS)
                .learningRate(Float.parseFloat(System.getProperty("datesTest.lr", "3e-3"))).minLearningRate(1e-4f)
                .warmupSteps(Integer.getInteger("datesTest.warmup", 50)).weightDecay(0.01f).betas(0.9f, 0.98f)
                .evalInterval(0).evalBatches(1).build();
        int batch = Integer.getInteger("datesTest.batch", 32);
        TrainingData data = new TrainingData(new Seq2SeqBatcher(train, batch, ctx, 1), new Seq2SeqBatcher(train, batch, ctx, 2),
                new Seq2SeqBatcher(val, batch, ctx, 3));
        try (Engine engine = Backends.open("cpu", new EngineOptions(0, null, 7));
             TrainingProgram program = engine.compileTraining(model, Initializer.initialize(model.parameterSpecs(), 7))) {
            long t0 = System.nanoTime();
            new Trainer(program, training, data).run();
            try (LoadedWeights weights = engine.load(program.weights())) {
                GreedyTranslator translator = new GreedyTranslator(model, engine, weights, tok);
                ExactMatch m = ExactMatch.evaluate(translator, splits.test().stream().map(Pair::source).toList(),
                        splits.test().stream().map(Pair::target).toList(), 100);
                System.out.printf("DatesTrainingTest: %d steps, %s, %.1f s%n", STEPS, m, (System.nanoTime() - t0) / 1e9);
                assertTrue(m.accuracy() >= 0.5, "held-out " + m + "; mistakes: " + m.mistakes());
            }
        }
    }

    private static PairDataset dataset(Tokenizer tok, List<Pair> pairs) {
        List<String> s = new ArrayList<>();
        List<String> t = new ArrayList<>();
        pairs.forEach(p -> {
            s.add(p.source());
            t.add(p.target());
        });
        return PairDataset.encode(tok, s, t);
    }
}
