package org.transformer4j.train;

/**
 * Linear warm-up to the peak rate, then cosine decay to a floor, then the floor (nanoGPT's {@code get_lr}):
 * <pre>
 *   step &lt; warmup:        lr · (step + 1) / (warmup + 1)
 *   step &gt; decaySteps:    minLr
 *   otherwise:            minLr + ½ (1 + cos(π · (step − warmup) / (decaySteps − warmup))) · (lr − minLr)
 * </pre>
 */
public record LearningRateSchedule(float lr, float minLr, int warmupSteps, int decaySteps) {

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

    /** A constant rate. */
    public static LearningRateSchedule constant(float lr) {
        return new LearningRateSchedule(lr, lr, 0, 0);
    }

    /** The rate at (0-based) {@code step}. */
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
