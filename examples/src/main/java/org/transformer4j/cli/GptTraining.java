package org.transformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.transformer4j.data.BatchSampler;
import org.transformer4j.data.TokenDataset;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.model.Activation;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.NormPlacement;
import org.transformer4j.model.PositionalEncodingType;
import org.transformer4j.tokenizer.ByteLevelBpeTokenizer;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingData;

/** {@code train --task gpt}: a GPT on a text file, nanoGPT style (the first 90% trains, the rest validates). */
final class GptTraining {
    private GptTraining() {
    }

    static int run(TrainCommand o, TrainRecipe r, TrainingConfig training) throws Exception {
        if (o.valData != null) {
            throw new IllegalArgumentException("--val-data is for --task seq2seq; a GPT validates on the last 10% of --data");
        }
        String text = TrainCommand.readText(o.data);
        if (o.initFrom != null) {
            return fineTune(o, r, training, text);
        }
        Tokenizer tokenizer = switch (o.tokenizerKind.toLowerCase(Locale.ROOT)) {
            case "char" -> CharTokenizer.fromText(text);
            case "bpe" -> ByteLevelBpeTokenizer.train(text, o.vocabSize, List.of(Tokenizer.EOS));
            default -> throw new IllegalArgumentException("--tokenizer must be char or bpe, was " + o.tokenizerKind);
        };
        int blockSize = r.contextLength() > 0 ? r.contextLength() : 64;
        GptConfig.Builder b = GptConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(blockSize)
                .layers(r.encoderLayers()).heads(r.heads()).embeddingDim(r.embeddingDim()).dropout(r.dropout())
                .bias(r.bias()).tiedEmbeddings(!r.untied())
                .positionalEncoding(TrainCommand.choice(PositionalEncodingType.class, r.positions(), "--positions"))
                .normPlacement(TrainCommand.choice(NormPlacement.class, r.norm(), "--norm"))
                .activation(TrainCommand.choice(Activation.class, r.activation(), "--activation"));
        if (r.feedForwardDim() > 0) {
            b.feedForwardDim(r.feedForwardDim());
        }
        GptConfig config = b.build();
        int batch = r.batchSize();
        Path out = o.out != null ? o.out : Path.of("runs/shakespeare-char");
        return train(o, out, config, tokenizer, text, batch, blockSize, training, null);
    }

    /**
     * {@code --init-from DIR}: the directory's architecture, weights and tokenizer, trained further on the text; the
     * options that would change the architecture are refused (they cannot apply to trained weights), --dropout and
     * a --block-size up to the model's context apply.
     */
    private static int fineTune(TrainCommand o, TrainRecipe r, TrainingConfig training, String text) throws Exception {
        ModelDirectory from = ModelDirectory.load(o.initFrom);
        if (!(from.config() instanceof GptConfig loaded)) {
            throw new IllegalArgumentException("--init-from " + o.initFrom + " holds a " + from.config().modelType()
                    + " model; --task gpt fine-tunes GPTs only");
        }
        List<String> fixed = new java.util.ArrayList<>();
        if (o.layers != null) fixed.add("--layers");
        if (o.heads != null) fixed.add("--heads");
        if (o.embd != null) fixed.add("--embd");
        if (o.ffn != null) fixed.add("--ffn");
        if (o.bias != null) fixed.add("--bias");
        if (o.untied != null) fixed.add("--untied");
        if (o.positions != null) fixed.add("--positions");
        if (o.norm != null) fixed.add("--norm");
        if (o.activation != null) fixed.add("--activation");
        if (o.preset != null) fixed.add("--preset");
        if (!fixed.isEmpty()) {
            throw new IllegalArgumentException("--init-from takes the architecture and tokenizer from " + o.initFrom
                    + "; drop " + String.join(", ", fixed));
        }
        int ctx = loaded.contextLength();
        int blockSize = o.blockSize != null ? o.blockSize : Math.min(r.contextLength() > 0 ? r.contextLength() : 64, ctx);
        if (blockSize > ctx) {
            throw new IllegalArgumentException("--block-size " + blockSize + " is longer than the model's context " + ctx);
        }
        GptConfig config = o.dropout != null ? loaded.toBuilder().dropout(o.dropout).build() : loaded;
        Path out = o.out != null ? o.out : Path.of("runs/fine-tuned");
        return train(o, out, config, from.tokenizer(), text, r.batchSize(), blockSize, training, from);
    }

    private static int train(TrainCommand o, Path out, GptConfig config, Tokenizer tokenizer, String text, int batch,
                             int blockSize, TrainingConfig training, ModelDirectory initFrom) throws Exception {
        TokenDataset dataset = TokenDataset.fromText(text, tokenizer, 0.9);
        TrainingData batches = new TrainingData(
                new BatchSampler(dataset.train(), batch, blockSize, o.seed),
                new BatchSampler(dataset.train(), batch, blockSize, o.seed + 1),
                new BatchSampler(dataset.validation(), batch, blockSize, o.seed + 2));
        GptModel model = new GptModel(config);
        String data = String.format(Locale.ROOT, "%,d train / %,d val tokens", dataset.train().length, dataset.validation().length);
        TrainingSession.run(o, out, new TrainingSession.Setup(model, config, tokenizer, batches, describe(config), data,
                        initFrom), training,
                (engine, weights) -> {
                    if (o.sample > 0) {
                        System.out.println("---- sample ----");
                        int[] prompt = tokenizer.encode("\n");
                        GptGenerator generator = new GptGenerator(model, engine.inferenceOps(), weights);
                        int[] tokens = generator.generate(prompt, GenerationOptions.sampling(o.sample, 0.8f, 200, o.seed), t -> true);
                        System.out.println(tokenizer.decode(tokens));
                        System.out.println("----------------");
                    }
                });
        return 0;
    }

    static String describe(GptConfig c) {
        return String.format(Locale.ROOT, "gpt %d layers x %d heads x %d wide, context %d, vocab %d", c.layers(), c.heads(),
                c.embeddingDim(), c.contextLength(), c.vocabSize());
    }
}
