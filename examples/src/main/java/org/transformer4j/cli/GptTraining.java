package org.transformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.transformer4j.data.BatchSampler;
import org.transformer4j.data.TokenDataset;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.nn.Activation;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.lora.LoraConfig;
import org.transformer4j.lora.LoraModel;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
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
        if (o.loraRank != null) {
            throw new IllegalArgumentException("--lora-rank adapts a trained model: give it with --init-from DIR");
        }
        Tokenizer tokenizer = switch (o.tokenizerKind.toLowerCase(Locale.ROOT)) {
            case "char" -> CharTokenizer.fromText(text);
            case "bpe" -> ByteLevelBpeTokenizer.train(text, o.vocabSize, List.of(Tokenizer.EOS));
            default -> throw new IllegalArgumentException("--tokenizer must be char or bpe, was " + o.tokenizerKind);
        };
        int blockSize = r.contextLength() > 0 ? r.contextLength() : 64;
        GptConfig config = modelConfig(r, tokenizer.vocabSize());
        int batch = r.batchSize();
        Path out = o.out != null ? o.out : Path.of("runs/shakespeare-char");
        return train(o, out, config, tokenizer, text, batch, blockSize, training, null);
    }

    /**
     * {@code --init-from DIR}: the directory's architecture, weights and tokenizer (a GPT, Hugging Face GPT-2 or
     * Llama-family directory), trained further on the text; the options that would change the architecture are
     * refused (they cannot apply to trained weights), --dropout and a --block-size up to the model's context apply.
     * With {@code --lora-rank} only low-rank adapters are trained and saved (PEFT's layout), the base stays frozen.
     */
    private static int fineTune(TrainCommand o, TrainRecipe r, TrainingConfig training, String text) throws Exception {
        ModelDirectory from = ModelDirectory.load(o.initFrom);
        if (!(from.config() instanceof GptConfig) && !(from.config() instanceof LlamaConfig)) {
            throw new IllegalArgumentException("--init-from " + o.initFrom + " holds a " + from.config().modelType()
                    + " model; --task gpt fine-tunes GPT and Llama-family models");
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
        int ctx = from.config().contextLength();
        int blockSize = o.blockSize != null ? o.blockSize : Math.min(r.contextLength() > 0 ? r.contextLength() : 64, ctx);
        if (blockSize > ctx) {
            throw new IllegalArgumentException("--block-size " + blockSize + " is longer than the model's context " + ctx);
        }
        ModelConfig config;
        TrainableModel model;
        switch (from.config()) {
            case GptConfig g -> {
                GptConfig c = o.dropout != null ? g.toBuilder().dropout(o.dropout).build() : g;
                config = c;
                model = new GptModel(c);
            }
            case LlamaConfig l -> {
                if (o.dropout != null && o.dropout != 0f) {
                    throw new IllegalArgumentException("--dropout: Llama-family models have no dropout layers "
                            + "(attention_dropout is not implemented); with --lora-rank use --lora-dropout");
                }
                if (o.sample > 0) {
                    throw new IllegalArgumentException("--sample prints GPT samples; for a Llama-family model run "
                            + "transformer4j generate on the trained directory instead");
                }
                config = l;
                model = new LlamaModel(l);
            }
            default -> throw new AssertionError("checked above");
        }
        String description = describe(config);
        TrainingSession.Lora lora = null;
        if (o.loraRank != null) {
            LoraConfig lc = new LoraConfig(o.loraRank, o.loraAlpha != null ? o.loraAlpha : 2f * o.loraRank,
                    o.loraTargets != null ? o.loraTargets : LoraConfig.defaultTargets(
                            from.layout() == ModelDirectory.Layout.HUGGING_FACE ? "gpt2" : config.modelType()),
                    o.loraDropout != null ? o.loraDropout : 0f);
            LoraModel adapted = new LoraModel(model, from.weights(), lc);
            boolean conv1d = from.layout() == ModelDirectory.Layout.HUGGING_FACE && config instanceof GptConfig;
            lora = new TrainingSession.Lora(adapted, o.initFrom.toAbsolutePath().normalize().toString(), conv1d);
            description += String.format(Locale.ROOT, " | LoRA r=%d alpha=%s dropout=%s on %d layers (%s)",
                    lc.rank(), lc.alpha(), lc.dropout(), adapted.adaptedLayers().size(), String.join(",", lc.targets()));
            model = adapted;
        } else if (o.loraAlpha != null || o.loraTargets != null || o.loraDropout != null) {
            throw new IllegalArgumentException("--lora-alpha, --lora-targets and --lora-dropout need --lora-rank R");
        }
        Path out = o.out != null ? o.out : Path.of(lora != null ? "runs/lora" : "runs/fine-tuned");
        return train(o, out, model, config, from.tokenizer(), text, r.batchSize(), blockSize, training, from, lora,
                description);
    }

    private static int train(TrainCommand o, Path out, GptConfig config, Tokenizer tokenizer, String text, int batch,
                             int blockSize, TrainingConfig training, ModelDirectory initFrom) throws Exception {
        return train(o, out, new GptModel(config), config, tokenizer, text, batch, blockSize, training, initFrom, null,
                describe(config));
    }

    private static int train(TrainCommand o, Path out, TrainableModel model, ModelConfig config, Tokenizer tokenizer,
                             String text, int batch, int blockSize, TrainingConfig training, ModelDirectory initFrom,
                             TrainingSession.Lora lora, String description) throws Exception {
        TokenDataset dataset = TokenDataset.fromText(text, tokenizer, 0.9);
        TrainingData batches = new TrainingData(
                new BatchSampler(dataset.train(), batch, blockSize, o.seed),
                new BatchSampler(dataset.train(), batch, blockSize, o.seed + 1),
                new BatchSampler(dataset.validation(), batch, blockSize, o.seed + 2));
        String data = String.format(Locale.ROOT, "%,d train / %,d val tokens", dataset.train().length, dataset.validation().length);
        TrainingSession.run(o, out, new TrainingSession.Setup(model, config, tokenizer, batches, description, data,
                        initFrom, lora), training,
                (engine, weights) -> {
                    if (o.sample > 0 && config instanceof GptConfig g) {
                        System.out.println("---- sample ----");
                        int[] prompt = tokenizer.encode("\n");
                        GptGenerator generator = new GptGenerator(new GptModel(g), engine.inferenceOps(), weights);
                        int[] tokens = generator.generate(prompt, GenerationOptions.sampling(o.sample, 0.8f, 200, o.seed), t -> true);
                        System.out.println(tokenizer.decode(tokens));
                        System.out.println("----------------");
                    }
                    if (lora != null) {
                        System.out.println("adapter (PEFT layout) in " + out + "; generate with it: transformer4j generate"
                                + " --model " + o.initFrom + " --adapter " + out + "; merge it into a full model: "
                                + "transformer4j merge --model " + o.initFrom + " --adapter " + out + " --out DIR");
                    }
                });
        return 0;
    }

    /** The GPT of a recipe (context 64 where the recipe leaves it open) for a vocabulary of {@code vocabSize}. */
    static GptConfig modelConfig(TrainRecipe r, int vocabSize) {
        int blockSize = r.contextLength() > 0 ? r.contextLength() : 64;
        GptConfig.Builder b = GptConfig.builder().vocabSize(vocabSize).contextLength(blockSize)
                .layers(r.encoderLayers()).heads(r.heads()).embeddingDim(r.embeddingDim()).dropout(r.dropout())
                .bias(r.bias()).tiedEmbeddings(!r.untied())
                .positionalEncoding(TrainCommand.choice(PositionalEncodingType.class, r.positions(), "--positions"))
                .normPlacement(TrainCommand.choice(NormPlacement.class, r.norm(), "--norm"))
                .activation(TrainCommand.choice(Activation.class, r.activation(), "--activation"));
        if (r.feedForwardDim() > 0) {
            b.feedForwardDim(r.feedForwardDim());
        }
        return b.build();
    }

    static String describe(GptConfig c) {
        return String.format(Locale.ROOT, "gpt %d layers x %d heads x %d wide, context %d, vocab %d", c.layers(), c.heads(),
                c.embeddingDim(), c.contextLength(), c.vocabSize());
    }

    static String describe(ModelConfig c) {
        return switch (c) {
            case GptConfig g -> describe(g);
            case LlamaConfig l -> String.format(Locale.ROOT, "%s %d layers x %d heads (%d key/value) x %d wide, context"
                    + " %d, vocab %d", l.modelType(), l.layers(), l.heads(), l.kvHeads(), l.hiddenSize(),
                    l.contextLength(), l.vocabSize());
            default -> c.modelType();
        };
    }
}
