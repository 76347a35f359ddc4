package org.transformer4j.examples.translate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.data.PairDataset;
import org.transformer4j.data.Seq2SeqBatcher;
import org.transformer4j.examples.dates.DateStyle;
import org.transformer4j.examples.dates.DateTranslationTask;
import org.transformer4j.examples.dates.Pair;
import org.transformer4j.model.NormPlacement;
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
 * Trains a small encoder-decoder (the paper's post-LN, sinusoidal, ReLU; 2+2 layers, 64 wide; batch 64, lr 2e-3) for 500 steps on
 * a smaller version of the date task (the short styles: numeric ones in both orders, and "22 Nov 2026") and
 * checks that greedy decoding gets most held-out test dates exactly right. Test dates come from the task's
 * test pool, so no test date was seen in training. Chance is about one in 10^10 (a random 10-character ISO
 * date); reaching the threshold needs reordering the fields and mapping month names to numbers.
 */
class DatesTrainingTest {
    private static final long SEED = 42;
    private static final List<DateStyle> STYLES = List.of(DateStyle.DAY_SLASH_MONTH_SLASH_YEAR,
            DateStyle.DAY_DOT_MONTH_DOT_YEAR, DateStyle.YEAR_SLASH_MONTH_SLASH_DAY, DateStyle.YEAR_DOT_MONTH_DOT_DAY,
            DateStyle.DAY_ABBREVIATED_MONTH_YEAR);

    @Test
    void aSmallModelTranslatesMostHeldOutDatesExactly() {
        int steps = Integer.getInteger("datesTest.steps", 500);
        List<Pair> trainPairs = pairs(DateTranslationTask.Split.TRAIN, 20_000, 1);
        List<Pair> testPairs = pairs(DateTranslationTask.Split.TEST, 200, 2);
        StringBuilder alphabet = new StringBuilder();
        for (List<Pair> l : List.of(trainPairs, testPairs)) {
            l.forEach(p -> alphabet.append(p.source()).append(p.target()));
        }
        CharTokenizer tok = CharTokenizer.fromText(alphabet.toString(), List.of(Tokenizer.PAD, Tokenizer.BOS, Tokenizer.EOS));
        PairDataset train = dataset(tok, trainPairs);
        int ctx = 16;
        Seq2SeqConfig config = Seq2SeqConfig.builder().vocabSize(tok.vocabSize()).contextLength(ctx)
                .encoderLayers(Integer.getInteger("datesTest.enc", 2)).decoderLayers(Integer.getInteger("datesTest.dec", 2))
                .heads(4).embeddingDim(Integer.getInteger("datesTest.embd", 64)).dropout(0f)
                .normPlacement(NormPlacement.valueOf(System.getProperty("datesTest.norm", "POST"))).build();
        Seq2SeqModel model = new Seq2SeqModel(config);
        TrainingConfig training = TrainingConfig.builder().maxSteps(steps)
                .learningRate(Float.parseFloat(System.getProperty("datesTest.lr", "2e-3"))).minLearningRate(1e-4f)
                .warmupSteps(Integer.getInteger("datesTest.warmup", 100)).weightDecay(0.01f).betas(0.9f, 0.98f)
                .evalInterval(0).evalBatches(1).build();
        int batch = Integer.getInteger("datesTest.batch", 64);
        TrainingData data = new TrainingData(new Seq2SeqBatcher(train, batch, ctx, 1), new Seq2SeqBatcher(train, batch, ctx, 2),
                new Seq2SeqBatcher(train, batch, ctx, 3));
        try (TrainingEngine engine = Backends.openTraining("cpu", new EngineOptions(0, null, 7));
             TrainingProgram program = engine.compileTraining(model, Initializer.initialize(model.parameterSpecs(), 7))) {
            long t0 = System.nanoTime();
            new Trainer(program, training, data).run();
            try (LoadedWeights weights = engine.load(program.weights())) {
                GreedyTranslator translator = new GreedyTranslator(model, engine, weights, tok);
                ExactMatch m = ExactMatch.evaluate(translator, testPairs.stream().map(Pair::source).toList(),
                        testPairs.stream().map(Pair::target).toList(), 100);
                System.out.printf("DatesTrainingTest: %d steps, %s, %.1f s%n", steps, m, (System.nanoTime() - t0) / 1e9);
                assertTrue(m.accuracy() >= 0.5, "held-out " + m + "; mistakes: " + m.mistakes());
            }
        }
    }

    /** {@code count} distinct pairs of the short styles whose dates lie in the task's {@code split} pool. */
    private static List<Pair> pairs(DateTranslationTask.Split split, int count, long stream) {
        SplittableRandom random = new SplittableRandom(SEED * 31 + stream);
        long first = DateTranslationTask.FIRST_DATE.toEpochDay();
        long days = DateTranslationTask.LAST_DATE.toEpochDay() - first + 1;
        Map<String, Pair> out = new LinkedHashMap<>();
        while (out.size() < count) {
            LocalDate date = LocalDate.ofEpochDay(first + random.nextLong(days));
            if (DateTranslationTask.splitOf(SEED, date) != split) {
                continue;
            }
            DateStyle style = STYLES.get(random.nextInt(STYLES.size()));
            String source = DateTranslationTask.write(date, style, random);
            out.putIfAbsent(source, new Pair(source, date.toString()));
        }
        return new ArrayList<>(out.values());
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
