package org.transformer4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.examples.plot.LossPlot;
import org.transformer4j.examples.plot.Series;
import org.transformer4j.examples.progress.ProgressBar;
import org.transformer4j.lora.LoraModel;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Initializer;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.TensorBoardWriter;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.train.Trainer;
import org.transformer4j.train.TrainingCheckpoint;
import org.transformer4j.train.TrainingCheckpoints;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingData;
import org.transformer4j.train.TrainingListener;
import org.transformer4j.train.TrainingProgram;

/**
 * The part of {@code train} every task shares: opens the backend, initialises or resumes, runs the
 * {@link Trainer} with a progress bar, a metrics file and loss estimates, writes checkpoints as model
 * directories, draws the loss plot, then hands the trained weights to a task-specific finish (a sample,
 * an accuracy).
 */
final class TrainingSession {

    /**
     * What a task prepares: the model with its config and tokenizer, the batches, one line about the data, and the
     * directory it starts from: its weights replace the random initialization and its layout (project or Hugging Face)
     * and generation defaults are what the trained directory is saved with; null trains from scratch.
     */
    record Setup(TrainableModel model, ModelConfig config, Tokenizer tokenizer, TrainingData data, String description,
                 String dataDescription, ModelDirectory initFrom, Lora lora) {
        Setup(TrainableModel model, ModelConfig config, Tokenizer tokenizer, TrainingData data, String description,
              String dataDescription) {
            this(model, config, tokenizer, data, description, dataDescription, null, null);
        }

        /** The directory to save for {@code weights} (the full model's). */
        ModelDirectory directory(Map<String, HostTensor> weights) {
            return initFrom == null ? new ModelDirectory(config, weights, tokenizer)
                    : new ModelDirectory(config, weights, tokenizer, initFrom.layout(), initFrom.generationDefaults());
        }

        /** The weights training starts from: the adapters' initialization, the directory's, or random ones. */
        Map<String, HostTensor> initialWeights(long seed) {
            return initFrom != null && lora == null ? initFrom.weights()
                    : Initializer.initialize(model.parameterSpecs(), seed);
        }

        /** Writes what trained weights make into {@code out}: a model directory, or with LoRA a PEFT adapter. */
        void save(Map<String, HostTensor> weights, Path out) throws IOException {
            if (lora != null) {
                lora.model().adapter(weights, lora.baseModel(), lora.fanInFanOut()).save(out);
            } else {
                directory(weights).save(out);
            }
        }

        /** The full model's weights for trained {@code weights} (with LoRA: merged into the base). */
        Map<String, HostTensor> fullWeights(Map<String, HostTensor> weights) {
            return lora == null ? weights
                    : lora.model().adapter(weights, lora.baseModel(), lora.fanInFanOut()).merge(initFrom.weights());
        }
    }

    /**
     * LoRA fine-tuning: the adapted model, what the adapter records as its base ({@code base_model_name_or_path})
     * and whether the base stores its layers as Conv1D (Hugging Face GPT-2: {@code fan_in_fan_out}).
     */
    record Lora(LoraModel model, String baseModel, boolean fanInFanOut) {
    }

    /** Runs after training with the final weights loaded for inference. */
    @FunctionalInterface
    interface Finish {
        void after(InferenceEngine engine, LoadedWeights weights) throws Exception;
    }

    private TrainingSession() {
    }

    static void run(TrainCommand o, Path out, Setup setup, TrainingConfig training, Finish finish) throws Exception {
        Map<String, HostTensor> init = setup.initialWeights(o.seed);
        Files.createDirectories(out);
        Path metricsFile = o.metrics != null ? o.metrics : out.resolve("metrics.csv");
        List<Series.Point> trainCurve = new ArrayList<>();
        List<Series.Point> valCurve = new ArrayList<>();
        try (TrainingEngine engine = Backends.openTraining(o.backend, new EngineOptions(o.threads, o.device, o.seed));
             TrainingProgram program = engine.compileTraining(setup.model(), init);
             MetricsLog log = new MetricsLog(metricsFile);
             TensorBoardWriter tensorBoard = o.tensorboard == null ? null : new TensorBoardWriter(o.tensorboard)) {
            long frozen = setup.model().frozenWeights().values().stream().mapToLong(t -> t.shape().size()).sum();
            System.out.printf(Locale.ROOT, "backend %s | %s | %,d %s | %s%n", engine.backendName(),
                    setup.description(), setup.model().parameterSpecs().stream().mapToLong(s -> s.shape().size()).sum(),
                    frozen == 0 ? "parameters" : String.format(Locale.ROOT, "trained parameters (%,d frozen)", frozen),
                    setup.dataDescription());
            Trainer trainer = new Trainer(program, training, setup.data()).listener(log);
            if (tensorBoard != null) {
                trainer.listener(tensorBoard);
                System.out.println("TensorBoard events in " + tensorBoard.logDir() + " (view: tensorboard --logdir "
                        + tensorBoard.logDir() + ")");
            }
            ProgressBar progress = o.quiet ? null : ProgressBar.create(System.out);
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
            trainer.checkpointTo(c -> save(out, setup, c));
            Path state = out.resolve(TrainingCheckpoints.FILE_NAME);
            if (o.resume) {
                if (!Files.exists(state)) {
                    throw new IllegalArgumentException("--resume: no " + state + " to resume from; train without --resume first");
                }
                trainer.resumeFrom(TrainingCheckpoints.load(state));
                System.out.println("resumed at step " + trainer.step());
            }
            ProcessStats start = ProcessStats.now();
            long t0 = System.nanoTime();
            var last = trainer.run();
            if (progress != null) {
                progress.finish();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            String cost = ProcessStats.now().since(start).describe();
            System.out.printf(Locale.ROOT, "done: %d steps in %.1f s, train loss %.4f, val loss %.4f; %s; model in %s%n",
                    trainer.step(), seconds, last.trainLoss(), last.valLoss(), cost, out);
            if (!trainCurve.isEmpty()) {
                writeLossPlot(out.resolve("loss.png"), trainCurve, valCurve, out);
            }
            try (LoadedWeights weights = engine.load(setup.fullWeights(program.weights()))) {
                finish.after(engine, weights);
            }
        }
    }

    /**
     * Draws the loss curves. A plot is a convenience: where Java cannot draw text (a server without fonts, where
     * AWT fails with "Fontconfig head is null") the trained model and the metrics file are what count, so the
     * command says why the plot is missing and goes on instead of failing after a finished training run.
     */
    private static void writeLossPlot(Path png, List<Series.Point> trainCurve, List<Series.Point> valCurve, Path out) {
        try {
            LossPlot.write(png, List.of(new Series("train", trainCurve), new Series("val", valCurve)), "loss, " + out.getFileName());
            System.out.println("loss plot: " + png);
        } catch (RuntimeException | InternalError | UnsatisfiedLinkError e) {
            System.out.println("loss plot skipped: Java could not draw it (" + e + "); the losses are in the metrics file."
                    + " On a server without fonts, install fontconfig and a font package (e.g. fonts-dejavu-core).");
        }
    }

    static Path save(Path out, Setup setup, TrainingCheckpoint c) throws IOException {
        // The training state first: it alone is enough to resume; then the model directory for users.
        TrainingCheckpoints.save(out.resolve(TrainingCheckpoints.FILE_NAME), c);
        setup.save(c.weights(), out);
        return out;
    }
}
