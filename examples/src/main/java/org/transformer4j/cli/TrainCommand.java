package org.transformer4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.data.BatchSampler;
import org.transformer4j.data.TokenDataset;
import org.transformer4j.examples.plot.LossPlot;
import org.transformer4j.examples.plot.Series;
import org.transformer4j.examples.progress.ProgressBar;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.model.Activation;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.NormPlacement;
import org.transformer4j.model.PositionalEncodingType;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.ByteLevelBpeTokenizer;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.train.Trainer;
import org.transformer4j.train.TrainingCheckpoint;
import org.transformer4j.train.TrainingCheckpoints;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingData;
import org.transformer4j.train.TrainingListener;
import org.transformer4j.train.TrainingProgram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train}: trains a GPT on a text file (by default the bundled tiny Shakespeare, with nanoGPT's
 * shakespeare-char recipe), writes a model directory with checkpoints, metrics and a loss plot, and can
 * print a sample at the end.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a GPT on a text file (default: the bundled tiny Shakespeare, nanoGPT's shakespeare-char recipe).")
final class TrainCommand implements Callable<Integer> {
    static final String BUNDLED = "tinyshakespeare.txt";

    @Option(names = "--data", description = "UTF-8 text file to train on (default: the bundled tiny Shakespeare)")
    Path data;

    @Option(names = "--out", defaultValue = "runs/shakespeare-char", description = "model directory to write (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--backend", description = "backend name (default: selection rules: -Dtransformer4j.backend, TRANSFORMER4J_BACKEND, transformer4j.properties, priority)")
    String backend;

    @Option(names = "--threads", defaultValue = "0", description = "compute threads, 0 = one per core (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seed", defaultValue = "1337", description = "seed for weights, batches and dropout (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--tokenizer", defaultValue = "char", description = "char or bpe (default: ${DEFAULT-VALUE})")
    String tokenizerKind;

    @Option(names = "--vocab-size", defaultValue = "512", description = "vocabulary size for --tokenizer bpe (default: ${DEFAULT-VALUE})")
    int vocabSize;

    @Option(names = "--layers", defaultValue = "4") int layers;
    @Option(names = "--heads", defaultValue = "4") int heads;
    @Option(names = "--embd", defaultValue = "128", description = "model width (default: ${DEFAULT-VALUE})") int embd;
    @Option(names = "--block-size", defaultValue = "64", description = "context length (default: ${DEFAULT-VALUE})") int blockSize;
    @Option(names = "--batch-size", defaultValue = "12") int batchSize;
    @Option(names = "--dropout", defaultValue = "0.0") float dropout;
    @Option(names = "--bias", description = "use biases in linear layers and norms") boolean bias;
    @Option(names = "--untied", description = "do not tie the output layer to the token embedding") boolean untied;
    @Option(names = "--positions", defaultValue = "learned", description = "learned or sinusoidal (default: ${DEFAULT-VALUE})") String positions;
    @Option(names = "--norm", defaultValue = "pre", description = "pre or post (default: ${DEFAULT-VALUE})") String norm;
    @Option(names = "--activation", defaultValue = "gelu", description = "gelu or relu (default: ${DEFAULT-VALUE})") String activation;

    @Option(names = "--steps", defaultValue = "2000", description = "optimizer steps (default: ${DEFAULT-VALUE})") int steps;
    @Option(names = "--lr", defaultValue = "1e-3") float lr;
    @Option(names = "--min-lr", defaultValue = "1e-4") float minLr;
    @Option(names = "--warmup", defaultValue = "100") int warmup;
    @Option(names = "--decay-steps", defaultValue = "-1", description = "cosine decay length (default: --steps)") int decaySteps;
    @Option(names = "--weight-decay", defaultValue = "0.1") float weightDecay;
    @Option(names = "--beta2", defaultValue = "0.99") float beta2;
    @Option(names = "--grad-clip", defaultValue = "1.0") float gradClip;
    @Option(names = "--accumulation", defaultValue = "1", description = "micro-batches per step") int accumulation;
    @Option(names = "--eval-interval", defaultValue = "250") int evalInterval;
    @Option(names = "--eval-batches", defaultValue = "200") int evalBatches;
    @Option(names = "--checkpoint-interval", defaultValue = "500", description = "steps between checkpoints (0: only at the end)") int checkpointInterval;
    @Option(names = "--metrics", description = "append metrics here (.csv or .jsonl; default: <out>/metrics.csv)") Path metrics;
    @Option(names = "--resume", description = "continue from <out>/training_state.safetensors") boolean resume;
    @Option(names = "--sample", defaultValue = "0", description = "print this many generated tokens at the end") int sample;
    @Option(names = "--quiet", description = "no progress bar") boolean quiet;

    @Override
    public Integer call() throws Exception {
        String text = readText(data);
        Tokenizer tokenizer = switch (tokenizerKind.toLowerCase(Locale.ROOT)) {
            case "char" -> CharTokenizer.fromText(text);
            case "bpe" -> ByteLevelBpeTokenizer.train(text, vocabSize, List.of(Tokenizer.EOS));
            default -> throw new IllegalArgumentException("--tokenizer must be char or bpe, was " + tokenizerKind);
        };
        GptConfig config = GptConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(blockSize).layers(layers)
                .heads(heads).embeddingDim(embd).dropout(dropout).bias(bias).tiedEmbeddings(!untied)
                .positionalEncoding(choice(PositionalEncodingType.class, positions, "--positions"))
                .normPlacement(choice(NormPlacement.class, norm, "--norm"))
                .activation(choice(Activation.class, activation, "--activation")).build();
        TrainingConfig training = TrainingConfig.builder().maxSteps(steps).learningRate(lr).minLearningRate(minLr)
                .warmupSteps(warmup).decaySteps(decaySteps).weightDecay(weightDecay).betas(0.9f, beta2).gradClip(gradClip)
                .gradAccumulation(accumulation).evalInterval(evalInterval).evalBatches(evalBatches)
                .checkpointInterval(checkpointInterval).build();
        TokenDataset dataset = TokenDataset.fromText(text, tokenizer, 0.9);
        TrainingData batches = new TrainingData(
                new BatchSampler(dataset.train(), batchSize, blockSize, seed),
                new BatchSampler(dataset.train(), batchSize, blockSize, seed + 1),
                new BatchSampler(dataset.validation(), batchSize, blockSize, seed + 2));
        GptModel model = new GptModel(config);
        Map<String, HostTensor> init = Initializer.initialize(model.parameterSpecs(), seed);
        Files.createDirectories(out);
        Path metricsFile = metrics != null ? metrics : out.resolve("metrics.csv");
        List<Series.Point> trainCurve = new ArrayList<>();
        List<Series.Point> valCurve = new ArrayList<>();
        try (Engine engine = Backends.open(backend, new EngineOptions(threads, null, seed));
             TrainingProgram program = engine.compileTraining(model, init);
             MetricsLog log = new MetricsLog(metricsFile)) {
            System.out.printf(Locale.ROOT, "backend %s | %s | %,d parameters | %,d train / %,d val tokens%n",
                    engine.backendName(), describe(config), model.parameterSpecs().stream().mapToLong(s -> s.shape().size()).sum(),
                    dataset.train().length, dataset.validation().length);
            Trainer trainer = new Trainer(program, training, batches).listener(log);
            ProgressBar progress = quiet ? null : ProgressBar.create(System.out);
            trainer.listener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (progress != null) {
                        progress.update(m.step(), m.maxSteps(), m.loss(), m.lr(), m.tokensPerSecond());
                    }
                }

                @Override
                public void onEvaluation(EvalMetrics m) {
                    trainCurve.add(new Series.Point(m.step(), m.trainLoss()));
                    valCurve.add(new Series.Point(m.step(), m.valLoss()));
                    System.out.printf(Locale.ROOT, "%nstep %d: train loss %.4f, val loss %.4f%n", m.step(), m.trainLoss(), m.valLoss());
                }
            });
            trainer.checkpointTo(c -> save(out, config, tokenizer, c));
            Path state = out.resolve(TrainingCheckpoints.FILE_NAME);
            if (resume) {
                if (!Files.exists(state)) {
                    throw new IllegalArgumentException("--resume: no " + state + " to resume from; train without --resume first");
                }
                trainer.resumeFrom(TrainingCheckpoints.load(state));
                System.out.println("resumed at step " + trainer.step());
            }
            long t0 = System.nanoTime();
            var last = trainer.run();
            if (progress != null) {
                progress.finish();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "done: %d steps in %.1f s, train loss %.4f, val loss %.4f; model in %s%n",
                    trainer.step(), seconds, last.trainLoss(), last.valLoss(), out);
            if (trainCurve.size() >= 1) {
                Path png = out.resolve("loss.png");
                LossPlot.write(png, List.of(new Series("train", trainCurve), new Series("val", valCurve)), "loss, " + out.getFileName());
                System.out.println("loss plot: " + png);
            }
            if (sample > 0) {
                System.out.println("---- sample ----");
                try (var weights = engine.load(program.weights())) {
                    int[] prompt = tokenizer.encode("\n");
                    GptGenerator generator = new GptGenerator(model, engine, weights);
                    int[] tokens = generator.generate(prompt, GenerationOptions.sampling(sample, 0.8f, 200, seed), t -> true);
                    System.out.println(tokenizer.decode(tokens));
                }
                System.out.println("----------------");
            }
        }
        return 0;
    }

    static Path save(Path out, GptConfig config, Tokenizer tokenizer, TrainingCheckpoint c) throws IOException {
        // The training state first: it alone is enough to resume; then the model directory for users.
        TrainingCheckpoints.save(out.resolve(TrainingCheckpoints.FILE_NAME), c);
        new ModelDirectory(config, c.weights(), tokenizer).save(out);
        return out;
    }

    static String readText(Path file) throws IOException {
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--data: " + file + " is not a readable file");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        try (InputStream in = TrainCommand.class.getResourceAsStream("/org/transformer4j/examples/" + BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("the bundled " + BUNDLED + " is missing from the jar; pass --data FILE");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static <E extends Enum<E>> E choice(Class<E> type, String value, String option) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException(option + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) + ", was " + value);
    }

    static String describe(GptConfig c) {
        return String.format(Locale.ROOT, "gpt %d layers x %d heads x %d wide, context %d, vocab %d", c.layers(), c.heads(),
                c.embeddingDim(), c.contextLength(), c.vocabSize());
    }
}
