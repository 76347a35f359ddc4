package org.transformer4j.train;

import java.nio.file.Path;

/** Receives a training run's progress: every step, every loss estimate and every checkpoint. All methods optional. */
public interface TrainingListener {

    /** After each optimizer step. */
    default void onStep(StepMetrics metrics) {
    }

    /** After each train/val loss estimate. */
    default void onEvaluation(EvalMetrics metrics) {
    }

    /** After a checkpoint was written. */
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
     */
    record StepMetrics(long step, int maxSteps, float loss, float lr, double gradNorm, double tokensPerSecond, double millis) {
    }

    /** A loss estimate at {@code step}: mean over the evaluation batches of each split. */
    record EvalMetrics(long step, float trainLoss, float valLoss) {
    }
}
