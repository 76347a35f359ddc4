package org.transformer4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.transformer4j.data.Batch;
import org.transformer4j.model.GptModel;
import org.transformer4j.tensor.DType;

/**
 * The training loop every training backend shares: gradient accumulation, global-norm clipping, the
 * learning-rate schedule, AdamW, periodic train/val loss estimates, checkpoints, and exact resume
 * (weights, optimizer state, step and data position). Backends only supply the {@link TrainingProgram}.
 *
 * <pre>{@code
 * try (TrainingProgram program = engine.compileTraining(model, weights)) {
 *     Trainer trainer = new Trainer(program, config, data).listener(progress).checkpointTo(dir::save);
 *     trainer.run();
 * }
 * }</pre>
 */
public final class Trainer {
    /** Saves a checkpoint somewhere and tells where (e.g. a model directory). */
    @FunctionalInterface
    public interface Checkpointer {
        Path save(TrainingCheckpoint checkpoint) throws IOException;
    }

    private final TrainingProgram program;
    private final TrainingConfig config;
    private final TrainingData data;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private Checkpointer checkpointer;
    private long step;
    private final List<TrainingListener.EvalMetrics> evaluations = new ArrayList<>();

    public Trainer(TrainingProgram program, TrainingConfig config, TrainingData data) {
        this.program = Objects.requireNonNull(program, "program");
        this.config = Objects.requireNonNull(config, "config");
        this.data = Objects.requireNonNull(data, "data");
    }

    public Trainer listener(TrainingListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Where checkpoints go; without one, none are written. */
    public Trainer checkpointTo(Checkpointer c) {
        this.checkpointer = c;
        return this;
    }

    /** Optimizer steps taken so far. */
    public long step() {
        return step;
    }

    /** Continues from a checkpoint: weights, optimizer state, step and training-data position. */
    public Trainer resumeFrom(TrainingCheckpoint checkpoint) {
        program.restore(checkpoint.weights(), checkpoint.optimizer());
        step = checkpoint.step();
        data.train().seek(checkpoint.trainPosition());
        return this;
    }

    /** The current state, as a checkpoint would store it. */
    public TrainingCheckpoint checkpoint() {
        return new TrainingCheckpoint(program.weights(), program.optimizerState(), step, data.train().position());
    }

    /** Runs until {@code maxSteps}; returns the final loss estimate. */
    public TrainingListener.EvalMetrics run() {
        int accum = config.gradAccumulation();
        while (step < config.maxSteps()) {
            long t0 = System.nanoTime();
            float lr = config.schedule().at(step);
            double lossSum = 0;
            long tokens = 0;
            for (int micro = 0; micro < accum; micro++) {
                Batch batch = data.train().next();
                float loss = program.forwardBackward(batch);
                if (!Float.isFinite(loss)) {
                    program.zeroGradients();
                    throw new TrainingDivergedException("loss is " + loss + " at step " + (step + 1)
                            + " (micro-batch " + micro + "); nothing was updated or saved after the last checkpoint."
                            + " Lower the learning rate (now " + lr + ") or check the data");
                }
                lossSum += loss;
                tokens += tokenCount(batch);
            }
            double norm = program.gradientNorm() / accum;
            if (!Double.isFinite(norm)) {
                program.zeroGradients();
                throw new TrainingDivergedException("gradient norm is " + norm + " at step " + (step + 1)
                        + "; nothing was updated. Lower the learning rate (now " + lr + ") or enable clipping");
            }
            float clip = config.gradClip() > 0 && norm > config.gradClip() ? (float) (config.gradClip() / (norm + 1e-6)) : 1f;
            program.step(new AdamWStep(lr, config.beta1(), config.beta2(), config.eps(), config.weightDecay(), clip / accum));
            step++;
            double millis = (System.nanoTime() - t0) / 1e6;
            var metrics = new TrainingListener.StepMetrics(step, config.maxSteps(), (float) (lossSum / accum), lr, norm,
                    tokens / (millis / 1000.0), millis);
            listeners.forEach(l -> l.onStep(metrics));
            boolean last = step == config.maxSteps();
            if (last || (config.evalInterval() > 0 && step % config.evalInterval() == 0)) {
                evaluate();
            }
            if (checkpointer != null && (last || (config.checkpointInterval() > 0 && step % config.checkpointInterval() == 0))) {
                saveCheckpoint();
            }
        }
        if (evaluations.isEmpty() || evaluations.getLast().step() != step) {
            evaluate();
        }
        return evaluations.getLast();
    }

    /** Estimates train and val loss now (mean over {@code evalBatches} batches of each). */
    public TrainingListener.EvalMetrics evaluate() {
        var metrics = new TrainingListener.EvalMetrics(step, meanLoss(data.trainEval()), meanLoss(data.valEval()));
        evaluations.add(metrics);
        listeners.forEach(l -> l.onEvaluation(metrics));
        return metrics;
    }

    /** Every loss estimate made so far. */
    public List<TrainingListener.EvalMetrics> evaluations() {
        return List.copyOf(evaluations);
    }

    /** Writes a checkpoint through the {@link Checkpointer} now. */
    public void saveCheckpoint() {
        if (checkpointer == null) {
            throw new IllegalStateException("no checkpointer set: call checkpointTo(...) first");
        }
        try {
            Path where = checkpointer.save(checkpoint());
            listeners.forEach(l -> l.onCheckpoint(step, where));
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint at step " + step + " failed: " + e.getMessage()
                    + " (the previous checkpoint is intact)", e);
        }
    }

    private float meanLoss(org.transformer4j.data.BatchSource source) {
        source.seek(0);
        double sum = 0;
        for (int i = 0; i < config.evalBatches(); i++) {
            sum += program.evaluate(source.next());
        }
        return (float) (sum / config.evalBatches());
    }

    /**
     * The tokens a batch trains on: its int32 {@code targets} other than {@link GptModel#IGNORE_INDEX} (so an
     * encoder-decoder's padding does not count), or else the size of its first tensor.
     */
    static long tokenCount(Batch batch) {
        if (batch.tensors().containsKey("targets") && batch.get("targets").dtype() == DType.INT32) {
            long n = 0;
            for (int id : batch.get("targets").ints()) {
                if (id != GptModel.IGNORE_INDEX) {
                    n++;
                }
            }
            return n;
        }
        return batch.tensors().values().iterator().next().shape().size();
    }
}
