package org.transformer4j.train;

import java.nio.file.Path;

/** Receives a training run's progress: every step, every loss estimate and every checkpoint. All methods optional. */
public interface TrainingListener {

    /**
     * After each optimizer step.
     *
     * @param metrics the step's loss, rate, gradient norm and speed
     */
    default void onStep(StepMetrics metrics) {
    }

    /**
     * After each train/val loss estimate.
     *
     * @param metrics the step and both losses
     */
    default void onEvaluation(EvalMetrics metrics) {
    }

    /**
     * After a checkpoint was written.
     *
     * @param step the step the checkpoint holds
     * @param where the checkpoint file
     */
    default void onCheckpoint(long step, Path where) {
    }

    /**
     * One optimizer step.
     *
     * @param step            1-based step just taken
     * @param loss            mean training loss of its micro-batches
     * @param lr              learning rate used
     * @param gradNorm        global gradient norm before clipping (of the averaged gradient)
     * @param tokensPerSecond training throughput of this step: target tokens that count in the loss (padding left
     *                        out) per second
     * @param millis          wall time of this step
     * @param maxSteps the run's last step, for progress
     */
    record StepMetrics(long step, int maxSteps, float loss, float lr, double gradNorm, double tokensPerSecond, double millis) {
    }

    /**
     * A loss estimate at {@code step}: mean over the evaluation batches of each split.
     *
     * @param step the step after which it was estimated
     * @param trainLoss the mean loss on training batches
     * @param valLoss the mean loss on validation batches
     */
    record EvalMetrics(long step, float trainLoss, float valLoss) {
    }
}
