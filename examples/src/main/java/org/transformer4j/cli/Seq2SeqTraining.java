package org.transformer4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.transformer4j.data.PairDataset;
import org.transformer4j.data.Seq2SeqBatcher;
import org.transformer4j.examples.dates.DatePairsTsv;
import org.transformer4j.examples.dates.Pair;
import org.transformer4j.examples.translate.ExactMatch;
import org.transformer4j.examples.translate.GreedyTranslator;
import org.transformer4j.nn.Activation;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingData;

/**
 * {@code train --task seq2seq}: an encoder-decoder on {@code source<TAB>target} pairs, with a character
 * tokenizer over the sources and targets plus {@code <pad>}, {@code <bos>}, {@code <eos>}. At the end it
 * measures the greedy exact-match accuracy on validation pairs and prints a few translations.
 */
final class Seq2SeqTraining {
    static final List<String> SPECIALS = List.of(Tokenizer.PAD, Tokenizer.BOS, Tokenizer.EOS);

    private Seq2SeqTraining() {
    }

    static int run(TrainCommand o, TrainRecipe r, TrainingConfig training) throws Exception {
        if (o.data == null) {
            throw new IllegalArgumentException("--task seq2seq needs --data: a source<TAB>target file or a directory with"
                    + " train.tsv; for the dates task write one with: transformer4j dates"
                    + " --out data/dates");
        }
        if (!o.tokenizerKind.equalsIgnoreCase("char")) {
            throw new IllegalArgumentException("--task seq2seq uses a char tokenizer; --tokenizer " + o.tokenizerKind + " is for --task gpt");
        }
        Path trainFile = Files.isDirectory(o.data) ? o.data.resolve("train.tsv") : o.data;
        Path valFile = o.valData;
        if (valFile == null && Files.isDirectory(o.data) && Files.isRegularFile(o.data.resolve("valid.tsv"))) {
            valFile = o.data.resolve("valid.tsv");
        }
        List<Pair> train = readPairs(trainFile, "--data");
        List<Pair> val;
        if (valFile != null) {
            val = readPairs(valFile, "--val-data");
        } else {
            int cut = (int) Math.floor(train.size() * 0.9);
            if (cut == 0 || cut == train.size()) {
                throw new IllegalArgumentException("--data " + trainFile + " has " + train.size() + " pairs, too few to hold"
                        + " back 10% for validation; give --val-data");
            }
            val = train.subList(cut, train.size());
            train = train.subList(0, cut);
        }
        CharTokenizer tokenizer = tokenizerFor(train, val);
        PairDataset trainPairs = encode(tokenizer, train, "training pairs");
        PairDataset valPairs = encode(tokenizer, val, "validation pairs");
        int longest = Math.max(Math.max(trainPairs.maxSourceLength(), trainPairs.maxDecoderLength()),
                Math.max(valPairs.maxSourceLength(), valPairs.maxDecoderLength()));
        // --block-size is exact; a preset's context is a minimum, raised to fit the data
        int context = o.blockSize != null ? o.blockSize : Math.max(r.contextLength(), longest);
        Seq2SeqConfig config = config(r, tokenizer.vocabSize(), context);
        int batch = r.batchSize();
        TrainingData batches = new TrainingData(
                new Seq2SeqBatcher("training pairs of " + trainFile, trainPairs, batch, context, Seq2SeqBatcher.Padding.LONGEST, o.seed),
                new Seq2SeqBatcher("training pairs of " + trainFile, trainPairs, batch, context, Seq2SeqBatcher.Padding.LONGEST, o.seed + 1),
                new Seq2SeqBatcher("validation pairs", valPairs, batch, context, Seq2SeqBatcher.Padding.LONGEST, o.seed + 2));
        Seq2SeqModel model = new Seq2SeqModel(config);
        Path out = o.out != null ? o.out : Path.of("runs/dates");
        String data = String.format(Locale.ROOT, "%,d train / %,d val pairs", train.size(), val.size());
        List<Pair> valList = val;
        TrainingSession.run(o, out, new TrainingSession.Setup(model, config, tokenizer, batches, describe(config), data), training,
                (engine, weights) -> {
                    GreedyTranslator translator = new GreedyTranslator(model, engine, weights, tokenizer);
                    List<Pair> shown = valList.subList(0, Math.min(o.sample, valList.size()));
                    if (!shown.isEmpty()) {
                        List<String> got = translator.translate(shown.stream().map(Pair::source).toList(), 64);
                        for (int i = 0; i < shown.size(); i++) {
                            System.out.printf(Locale.ROOT, "%-40s -> %s%s%n", shown.get(i).source(), got.get(i),
                                    got.get(i).equals(shown.get(i).target()) ? "" : "   (expected " + shown.get(i).target() + ")");
                        }
                    }
                    if (o.evalPairs > 0) {
                        List<Pair> eval = valList.subList(0, Math.min(o.evalPairs, valList.size()));
                        long t0 = System.nanoTime();
                        ExactMatch m = ExactMatch.evaluate(translator, eval.stream().map(Pair::source).toList(),
                                eval.stream().map(Pair::target).toList(), 100);
                        System.out.printf(Locale.ROOT, "validation %s (greedy, %.1f s)%n", m, (System.nanoTime() - t0) / 1e9);
                    }
                });
        return 0;
    }

    /** The model config of a recipe for a vocabulary and context. */
    static Seq2SeqConfig config(TrainRecipe r, int vocab, int context) {
        Seq2SeqConfig.Builder b = Seq2SeqConfig.builder().vocabSize(vocab).contextLength(context)
                .encoderLayers(r.encoderLayers()).decoderLayers(r.decoderLayers()).heads(r.heads())
                .embeddingDim(r.embeddingDim()).dropout(r.dropout()).bias(r.bias()).tiedEmbeddings(!r.untied())
                .positionalEncoding(TrainCommand.choice(PositionalEncodingType.class, r.positions(), "--positions"))
                .normPlacement(TrainCommand.choice(NormPlacement.class, r.norm(), "--norm"))
                .activation(TrainCommand.choice(Activation.class, r.activation(), "--activation"));
        if (r.feedForwardDim() > 0) {
            b.feedForwardDim(r.feedForwardDim());
        }
        return b.build();
    }

    /** The char tokenizer of every source and target character, then {@code <pad>}, {@code <bos>}, {@code <eos>}. */
    static CharTokenizer tokenizerFor(List<Pair> train, List<Pair> val) {
        StringBuilder all = new StringBuilder();
        for (List<Pair> list : List.of(train, val)) {
            for (Pair p : list) {
                all.append(p.source()).append(p.target());
            }
        }
        return CharTokenizer.fromText(all.toString(), SPECIALS);
    }

    static PairDataset encode(Tokenizer tokenizer, List<Pair> pairs, String what) {
        List<String> sources = new ArrayList<>(pairs.size());
        List<String> targets = new ArrayList<>(pairs.size());
        for (Pair p : pairs) {
            sources.add(p.source());
            targets.add(p.target());
        }
        try {
            return PairDataset.encode(tokenizer, sources, targets);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    static List<Pair> readPairs(Path file, String option) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + ": " + file + " is not a readable file (expected source<TAB>target lines)");
        }
        List<Pair> pairs = DatePairsTsv.read(file);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(option + ": " + file + " holds no pairs");
        }
        return pairs;
    }

    static String describe(Seq2SeqConfig c) {
        return String.format(Locale.ROOT, "seq2seq %d+%d layers x %d heads x %d wide (ffn %d, %s-LN, %s, %s), context %d, vocab %d",
                c.encoderLayers(), c.decoderLayers(), c.heads(), c.embeddingDim(), c.feedForwardDim(),
                c.normPlacement().name().toLowerCase(Locale.ROOT), c.positionalEncoding().name().toLowerCase(Locale.ROOT),
                c.activation().name().toLowerCase(Locale.ROOT), c.contextLength(), c.vocabSize());
    }
}
