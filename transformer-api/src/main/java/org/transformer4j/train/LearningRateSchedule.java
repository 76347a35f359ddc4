package org.transformer4j.train;

/**
 * Linear warm-up to the peak rate, then cosine decay to a floor, then the floor (nanoGPT's {@code get_lr}):
 * <pre>
 *   step &lt; warmup:        lr · (step + 1) / (warmup + 1)
 *   step &gt; decaySteps:    minLr
 *   otherwise:            minLr + ½ (1 + cos(π · (step − warmup) / (decaySteps − warmup))) · (lr − minLr)
 * </pre>
 *
 * @param lr the peak rate
 * @param minLr the rate after the decay
 * @param warmupSteps the steps of the linear warm-up
 * @param decaySteps the step where the cosine decay ends
 */
public record LearningRateSchedule(float lr, float minLr, int warmupSteps, int decaySteps) {

    /** Checks {@code 0 <= minLr <= lr}, {@code lr > 0} and {@code 0 <= warmupSteps <= decaySteps}. */
    public LearningRateSchedule {
        if (!(lr > 0) || !(minLr >= 0) || minLr > lr) {
            throw new IllegalArgumentException("learning rates must satisfy 0 <= minLr <= lr and lr > 0; got lr=" + lr
                    + ", minLr=" + minLr);
        }
        if (warmupSteps < 0 || decaySteps < warmupSteps) {
            throw new IllegalArgumentException("need 0 <= warmupSteps <= decaySteps; got warmup=" + warmupSteps
                    + ", decay=" + decaySteps);
        }
    }

    /**
     * A constant rate.
     *
     * @param lr the rate
     * @return a schedule that is {@code lr} at every step
     */
    public static LearningRateSchedule constant(float lr) {
        return new LearningRateSchedule(lr, lr, 0, 0);
    }

    /**
     * The rate at (0-based) {@code step}.
     *
     * @param step the optimizer step, from 0
     * @return the rate
     */
    public float at(long step) {
        if (step < warmupSteps) {
            return (float) (lr * (step + 1.0) / (warmupSteps + 1.0));
        }
        if (step > decaySteps || decaySteps == warmupSteps) {
            return minLr;
        }
        double ratio = (double) (step - warmupSteps) / (decaySteps - warmupSteps);
        double coeff = 0.5 * (1.0 + Math.cos(Math.PI * ratio));
        return (float) (minLr + coeff * (lr - minLr));
    }
}
