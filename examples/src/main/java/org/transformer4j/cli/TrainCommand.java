package org.transformer4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.transformer4j.train.TrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train}: trains a GPT on a text file ({@code --task gpt}, by default the bundled tiny Shakespeare with
 * nanoGPT's shakespeare-char recipe) or an encoder-decoder on (source, target) pairs ({@code --task seq2seq},
 * TSV files, the {@code dates} preset). Writes a model directory with checkpoints, metrics and a loss plot
 * ({@code --init-from DIR --lora-rank R}: a PEFT adapter directory instead);
 * {@code --resume} continues exactly. Settings come from a preset ({@link TrainRecipe}); each option
 * overrides one of them.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a GPT on a text file (--task gpt, default: the bundled tiny Shakespeare) or an "
                + "encoder-decoder on source<TAB>target pairs (--task seq2seq --data train.tsv).",
                "Settings come from a preset (gpt: shakespeare-char, seq2seq: dates); each option overrides one."})
final class TrainCommand implements Callable<Integer> {
    static final String BUNDLED = "tinyshakespeare.txt";

    @Option(names = "--task", description = "gpt (text) or seq2seq (pairs) (default: gpt, or the preset's task)")
    String task;

    @Option(names = "--preset", description = "shakespeare-char or dates (default: the task's)")
    String preset;

    @Option(names = "--data", description = "gpt: UTF-8 text file (default: the bundled tiny Shakespeare); "
            + "seq2seq: a source<TAB>target file, or a directory holding train.tsv (and valid.tsv)")
    Path data;

    @Option(names = "--val-data", description = "seq2seq: validation pairs (default: <data dir>/valid.tsv, else the last 10%% of --data)")
    Path valData;

    @Option(names = "--out", description = "model directory to write (default: runs/shakespeare-char or runs/dates)")
    Path out;

    @Option(names = "--backend", description = "backend name (default: selection rules: -Dtransformer4j.backend, TRANSFORMER4J_BACKEND, transformer4j.properties, priority)")
    String backend;

    @Option(names = "--threads", defaultValue = "0", description = "compute threads, 0 = one per core (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--device", description = "device of the backend: cpu (default) or gpu:N (tensorflow built with -Ptensorflow-gpu)")
    String device;

    @Option(names = "--seed", defaultValue = "1337", description = "seed for weights, batches and dropout (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--tokenizer", defaultValue = "char", description = "gpt: char or bpe (default: ${DEFAULT-VALUE}); seq2seq: always char")
    String tokenizerKind;

    @Option(names = "--vocab-size", defaultValue = "512", description = "vocabulary size for --tokenizer bpe (default: ${DEFAULT-VALUE})")
    int vocabSize;

    @Option(names = "--layers", description = "gpt: layers; seq2seq: encoder and decoder blocks each (presets: 4; 2)") Integer layers;
    @Option(names = "--encoder-layers", description = "seq2seq encoder blocks (default: --layers)") Integer encoderLayers;
    @Option(names = "--decoder-layers", description = "seq2seq decoder blocks (default: --layers)") Integer decoderLayers;
    @Option(names = "--heads", description = "attention heads (presets: 4; 4)") Integer heads;
    @Option(names = "--embd", description = "model width (presets: 128; 64)") Integer embd;
    @Option(names = "--ffn", description = "feed-forward width (default: 4 x --embd)") Integer ffn;
    @Option(names = "--block-size", description = "context length (gpt preset: 64; seq2seq: 48 or the longest sequence of the data if longer)") Integer blockSize;
    @Option(names = "--batch-size", description = "sequences per batch (presets: 12; 64)") Integer batchSize;
    @Option(names = "--dropout", description = "drop probability (presets: 0; 0)") Float dropout;
    @Option(names = "--bias", negatable = true, description = "biases in linear layers and norms (presets: no; yes)") Boolean bias;
    @Option(names = "--untied", negatable = true, description = "do not tie the output layer to the token embedding") Boolean untied;
    @Option(names = "--positions", description = "learned or sinusoidal (presets: learned; sinusoidal)") String positions;
    @Option(names = "--norm", description = "pre or post (presets: pre; post)") String norm;
    @Option(names = "--activation", description = "gelu or relu (presets: gelu; relu)") String activation;

    @Option(names = "--steps", description = "optimizer steps (presets: 2000; 2000)") Integer steps;
    @Option(names = "--lr", description = "peak learning rate (presets: 1e-3; 2e-3)") Float lr;
    @Option(names = "--min-lr", description = "learning rate at the end of the cosine (presets: 1e-4; 1e-4)") Float minLr;
    @Option(names = "--warmup", description = "linear warm-up steps (presets: 100; 100)") Integer warmup;
    @Option(names = "--decay-steps", defaultValue = "-1", description = "cosine decay length (default: --steps)") int decaySteps;
    @Option(names = "--weight-decay", description = "AdamW weight decay (presets: 0.1; 0.01)") Float weightDecay;
    @Option(names = "--beta2", description = "AdamW beta2 (presets: 0.99; 0.98)") Float beta2;
    @Option(names = "--grad-clip", description = "clip the gradient norm (0: off) (presets: 1; 1)") Float gradClip;
    @Option(names = "--accumulation", defaultValue = "1", description = "micro-batches per step") int accumulation;
    @Option(names = "--eval-interval", description = "steps between loss estimates (presets: 250; 500)") Integer evalInterval;
    @Option(names = "--eval-batches", description = "batches per loss estimate (presets: 200; 20)") Integer evalBatches;
    @Option(names = "--checkpoint-interval", description = "steps between checkpoints, 0: only at the end (presets: 500; 1000)") Integer checkpointInterval;
    @Option(names = "--metrics", description = "append metrics here (.csv or .jsonl; default: <out>/metrics.csv)") Path metrics;
    @Option(names = "--tensorboard", paramLabel = "DIR", description = "also write TensorBoard event files to DIR "
            + "(train/loss, train/lr, train/tokens_per_second, eval/train_loss, eval/val_loss; works with any backend, "
            + "uses TensorFlow's native library; view: tensorboard --logdir DIR)") Path tensorboard;
    @Option(names = "--init-from", paramLabel = "DIR", description = "gpt: fine-tune the model of this directory (a "
            + "Hugging Face GPT-2 directory too) on --data with its own tokenizer and architecture; --out gets the same "
            + "layout") Path initFrom;
    @Option(names = "--lora-rank", paramLabel = "R", description = "with --init-from: train LoRA adapters of rank R "
            + "only (the base weights stay frozen) and save them in PEFT's layout (adapter_config.json + "
            + "adapter_model.safetensors) in --out") Integer loraRank;
    @Option(names = "--lora-alpha", paramLabel = "A", description = "LoRA alpha: the adapters are scaled by A/R "
            + "(default: 2 x --lora-rank)") Float loraAlpha;
    @Option(names = "--lora-targets", split = ",", paramLabel = "MODULE", description = "linear layers to adapt, by "
            + "name or name suffix (default, as PEFT: c_attn for GPT-2, q_proj,v_proj for Llama-family models)")
    List<String> loraTargets;
    @Option(names = "--lora-dropout", paramLabel = "P", description = "dropout on the adapters' input while training "
            + "(default: 0)") Float loraDropout;
    @Option(names = "--resume", description = "continue from <out>/training_state.safetensors") boolean resume;
    @Option(names = "--sample", defaultValue = "0", description = "gpt: print this many generated tokens at the end; "
            + "seq2seq: print this many validation translations") int sample;
    @Option(names = "--eval-pairs", defaultValue = "1000", description = "seq2seq: validation pairs whose exact-match accuracy is measured at the end, 0 = none (default: ${DEFAULT-VALUE})")
    int evalPairs;
    @Option(names = "--quiet", description = "no progress bar") boolean quiet;
    @Option(names = "--spark", paramLabel = "MASTER", description = "gpt: train data-parallel on Spark (e.g. local[4], "
            + "spark://host:7077; run through spark-submit so Spark is on the classpath); --data is read through Spark")
    String spark;
    @Option(names = "--workers", defaultValue = "2", description = "--spark: replicas, one barrier task each (default: ${DEFAULT-VALUE})")
    int workers;

    @Override
    public Integer call() throws Exception {
        TrainRecipe r = recipe();
        TrainingConfig training = TrainingConfig.builder().maxSteps(r.steps()).learningRate(r.lr()).minLearningRate(r.minLr())
                .warmupSteps(r.warmup()).decaySteps(decaySteps).weightDecay(r.weightDecay()).betas(0.9f, r.beta2())
                .gradClip(r.gradClip()).gradAccumulation(accumulation).evalInterval(r.evalInterval())
                .evalBatches(r.evalBatches()).checkpointInterval(r.checkpointInterval()).build();
        if (loraRank != null && (spark != null || !r.task().equals(TrainRecipe.GPT))) {
            throw new IllegalArgumentException("--lora-rank fine-tunes a GPT or Llama-family directory given with "
                    + "--init-from, on one machine; drop " + (spark != null ? "--spark" : "--task seq2seq"));
        }
        if (spark != null) {
            return SparkTraining.run(this, r, training);
        }
        if (r.task().equals(TrainRecipe.GPT)) {
            return GptTraining.run(this, r, training);
        }
        return Seq2SeqTraining.run(this, r, training);
    }

    /** The preset (from --preset, else --task) with every given option applied. */
    TrainRecipe recipe() {
        TrainRecipe base = preset != null ? TrainRecipe.preset(preset) : TrainRecipe.forTask(task == null ? TrainRecipe.GPT : task);
        String t = task == null ? base.task() : task.toLowerCase(Locale.ROOT);
        if (!t.equals(TrainRecipe.GPT) && !t.equals(TrainRecipe.SEQ2SEQ)) {
            throw new IllegalArgumentException("--task must be gpt or seq2seq, was " + task);
        }
        int enc = pick(encoderLayers, pick(layers, base.encoderLayers()));
        int dec = pick(decoderLayers, pick(layers, base.decoderLayers() > 0 ? base.decoderLayers() : base.encoderLayers()));
        if (t.equals(TrainRecipe.GPT) && (encoderLayers != null || decoderLayers != null)) {
            throw new IllegalArgumentException("--encoder-layers/--decoder-layers are for --task seq2seq; use --layers for a GPT");
        }
        return new TrainRecipe(t, enc, dec, pick(heads, base.heads()), pick(embd, base.embeddingDim()),
                pick(ffn, base.feedForwardDim()), pick(blockSize, base.contextLength()), pick(batchSize, base.batchSize()),
                pick(dropout, base.dropout()), pick(bias, base.bias()), pick(untied, base.untied()),
                pick(positions, base.positions()), pick(norm, base.norm()), pick(activation, base.activation()),
                pick(steps, base.steps()), pick(lr, base.lr()), pick(minLr, base.minLr()), pick(warmup, base.warmup()),
                pick(weightDecay, base.weightDecay()), pick(beta2, base.beta2()), pick(gradClip, base.gradClip()),
                pick(evalInterval, base.evalInterval()), pick(evalBatches, base.evalBatches()),
                pick(checkpointInterval, base.checkpointInterval()));
    }

    private static <T> T pick(T given, T fallback) {
        return given != null ? given : fallback;
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
}
