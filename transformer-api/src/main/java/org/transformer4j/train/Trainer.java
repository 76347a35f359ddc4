package org.transformer4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.transformer4j.data.Batch;
import org.transformer4j.model.GptModel;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.distributed.Collective;

/**
 * The training loop every training backend shares: gradient accumulation, global-norm clipping, the
 * learning-rate schedule, AdamW, periodic train/val loss estimates, checkpoints, and exact resume
 * (weights, optimizer state, step and data position). Backends only supply the {@link TrainingProgram}.
 *
 * <p>Data-parallel: with a {@link #distributed(Collective)} group, each replica runs this loop on its own share of
 * every global batch (its {@code data.train()} yields this replica's rows), and after its micro-batches the replicas
 * average their gradients, weighted by the tokens each trained on, so N replicas on shares of a global batch take
 * the step one process would take on the whole batch (to float32 summation order). The global norm is taken and the
 * gradients clipped after the average, and every replica applies the same AdamW update to the same weights: rank 0's
 * weights are broadcast when {@link #run} starts. Loss estimates are the mean over the replicas.
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
        /**
         * Saves {@code checkpoint}, atomically.
         *
         * @param checkpoint the state to save
         * @return where it was saved
         * @throws IOException when it cannot be written
         */
        Path save(TrainingCheckpoint checkpoint) throws IOException;
    }

    private final TrainingProgram program;
    private final TrainingConfig config;
    private final TrainingData data;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private Checkpointer checkpointer;
    private Collective collective;
    private long step;
    private final List<TrainingListener.EvalMetrics> evaluations = new ArrayList<>();

    /**
     * A trainer at step 0 (see {@link #resumeFrom} to continue a run).
     *
     * @param program the backend's training program for the model
     * @param config steps, schedule, optimizer and evaluation settings
     * @param data the training and evaluation batches
     */
    public Trainer(TrainingProgram program, TrainingConfig config, TrainingData data) {
        this.program = Objects.requireNonNull(program, "program");
        this.config = Objects.requireNonNull(config, "config");
        this.data = Objects.requireNonNull(data, "data");
    }

    /**
     * Adds a listener of steps, estimates and checkpoints.
     *
     * @param listener the listener
     * @return this trainer
     */
    public Trainer listener(TrainingListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Where checkpoints go; without one, none are written.
     *
     * @param c the checkpointer
     * @return this trainer
     */
    public Trainer checkpointTo(Checkpointer c) {
        this.checkpointer = c;
        return this;
    }

    /**
     * Trains as one replica of a data-parallel group (see the class comment); every replica must be built the same
     * way (model, config, resume point) and run at the same time. The program must support
     * {@link TrainingProgram#readGradients}. {@code null} (the default) trains alone.
     *
     * @param group this replica's collective, or null
     * @return this trainer
     */
    public Trainer distributed(Collective group) {
        this.collective = group;
        return this;
    }

    /**
     * Optimizer steps taken so far.
     *
     * @return the step count
     */
    public long step() {
        return step;
    }

    /**
     * Continues from a checkpoint: weights, optimizer state, step and training-data position.
     *
     * @param checkpoint the state to continue from
     * @return this trainer
     */
    public Trainer resumeFrom(TrainingCheckpoint checkpoint) {
        program.restore(checkpoint.weights(), checkpoint.optimizer());
        step = checkpoint.step();
        data.train().seek(checkpoint.trainPosition());
        return this;
    }

    /**
     * The current state, as a checkpoint would store it.
     *
     * @return the checkpoint
     */
    public TrainingCheckpoint checkpoint() {
        return new TrainingCheckpoint(program.weights(), program.optimizerState(), step, data.train().position());
    }

    /**
     * Runs until {@code maxSteps}; returns the final loss estimate.
     *
     * @return the last estimate
     */
    public TrainingListener.EvalMetrics run() {
        int accum = config.gradAccumulation();
        float[] gradients = collective == null ? null : synchronizeReplicas();
        while (step < config.maxSteps()) {
            long t0 = System.nanoTime();
            float lr = config.schedule().at(step);
            double lossSum = 0;
            long tokens = 0;
            for (int micro = 0; micro < accum; micro++) {
                Batch batch = data.train().next();
                float loss = program.forwardBackward(batch);
                if (!Float.isFinite(loss) && collective != null) {
                    lossSum = loss; // every replica learns of it from the all-reduce below and stops there
                    break;
                }
                if (!Float.isFinite(loss)) {
                    program.zeroGradients();
                    throw new TrainingDivergedException("loss is " + loss + " at step " + (step + 1)
                            + " (micro-batch " + micro + "); nothing was updated or saved after the last checkpoint."
                            + " Lower the learning rate (now " + lr + ") or check the data");
                }
                lossSum += loss;
                tokens += tokenCount(batch);
            }
            if (collective != null) {
                double[] global = averageGradients(gradients, tokens, lossSum);
                tokens = (long) global[0];
                lossSum = global[1];
                if (!Double.isFinite(lossSum)) {
                    program.zeroGradients();
                    throw new TrainingDivergedException("the loss of a replica is " + lossSum + " at step " + (step + 1)
                            + "; nothing was updated or saved after the last checkpoint. Lower the learning rate (now "
                            + lr + ") or check the data");
                }
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

    /**
     * Estimates train and val loss now (mean over {@code evalBatches} batches of each).
     *
     * @return the estimate
     */
    public TrainingListener.EvalMetrics evaluate() {
        var metrics = collective == null
                ? new TrainingListener.EvalMetrics(step, meanLoss(data.trainEval()), meanLoss(data.valEval()))
                : distributedEvaluation();
        evaluations.add(metrics);
        listeners.forEach(l -> l.onEvaluation(metrics));
        return metrics;
    }

    /**
     * Every loss estimate made so far.
     *
     * @return the estimates, in order
     */
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

    /**
     * Before the first distributed step: checks that every replica is at rank 0's step and data position (the same
     * resume point) and gives every replica rank 0's weights. Returns the buffer the gradients travel in.
     */
    private float[] synchronizeReplicas() {
        float[] position = {step, data.train().position()};
        float[] mine = position.clone();
        collective.broadcast(position);
        if (position[0] != mine[0] || position[1] != mine[1]) {
            throw new IllegalStateException("replica " + collective.rank() + " is at step " + step + ", data position "
                    + data.train().position() + " but rank 0 is at step " + (long) position[0] + ", position "
                    + (long) position[1] + ": every replica must start fresh or resume from the same checkpoint");
        }
        Map<String, HostTensor> weights = program.weights();
        long total = 0;
        for (HostTensor w : weights.values()) {
            total += w.shape().size();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("distributed training supports up to " + (Integer.MAX_VALUE - 8)
                    + " parameters; this model has " + total);
        }
        float[] flat = new float[(int) total];
        int at = 0;
        for (HostTensor w : weights.values()) {
            float[] f = w.toFloat32().floats();
            System.arraycopy(f, 0, flat, at, f.length);
            at += f.length;
        }
        collective.broadcast(flat);
        if (collective.rank() != 0) {
            Map<String, HostTensor> rank0 = new LinkedHashMap<>();
            at = 0;
            for (var e : weights.entrySet()) {
                int n = (int) e.getValue().shape().size();
                rank0.put(e.getKey(), HostTensor.ofFloats(e.getValue().shape(), java.util.Arrays.copyOfRange(flat, at, at + n)));
                at += n;
            }
            program.restore(rank0, program.optimizerState());
        }
        return flat;
    }

    /**
     * Replaces this replica's accumulated gradients with the token-weighted mean over the replicas,
     * {@code sum_i (n_i / n) g_i}; returns the step's total tokens {@code n} and the token-weighted mean of the
     * replicas' loss sums.
     */
    private double[] averageGradients(float[] flat, long tokens, double lossSum) {
        float[] stats = {tokens, (float) (lossSum * tokens)};
        collective.allReduce(stats, Collective.Reduction.SUM);
        double total = stats[0];
        float weight = total > 0 ? (float) (tokens / total) : 1f / collective.size();
        program.readGradients(flat);
        if (weight != 1f) {
            for (int i = 0; i < flat.length; i++) {
                flat[i] *= weight;
            }
        }
        collective.allReduce(flat, Collective.Reduction.SUM);
        program.writeGradients(flat);
        return new double[] {total, total > 0 ? stats[1] / total : stats[1] / collective.size()};
    }

    /**
     * The loss estimates of a replica group: each evaluation batch's loss is the token-weighted mean of the replicas'
     * losses on their shares (what one process computes on the whole batch), and the estimate is the mean over the
     * batches, as {@link #meanLoss} takes it; one all-reduce for both splits.
     */
    private TrainingListener.EvalMetrics distributedEvaluation() {
        int k = config.evalBatches();
        float[] sums = new float[4 * k]; // per split: k token-weighted loss sums, then k token counts
        org.transformer4j.data.BatchSource[] splits = {data.trainEval(), data.valEval()};
        for (int s = 0; s < 2; s++) {
            splits[s].seek(0);
            for (int i = 0; i < k; i++) {
                Batch batch = splits[s].next();
                long n = tokenCount(batch);
                sums[2 * s * k + i] = program.evaluate(batch) * n;
                sums[2 * s * k + k + i] = n;
            }
        }
        collective.allReduce(sums, Collective.Reduction.SUM);
        float[] loss = new float[2];
        for (int s = 0; s < 2; s++) {
            double sum = 0;
            for (int i = 0; i < k; i++) {
                float n = sums[2 * s * k + k + i];
                sum += n > 0 ? sums[2 * s * k + i] / n : 0;
            }
            loss[s] = (float) (sum / k);
        }
        return new TrainingListener.EvalMetrics(step, loss[0], loss[1]);
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
