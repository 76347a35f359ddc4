package org.transformer4j.train;

/**
 * The settings of a training run; {@link #builder()} starts from nanoGPT's shakespeare-char recipe
 * (lr 1e-3 with 100 warm-up steps and cosine decay to 1e-4 over 2000, AdamW betas 0.9/0.99, weight
 * decay 0.1, clipping at 1.0).
 *
 * @param maxSteps           optimizer steps in all
 * @param gradAccumulation   micro-batches per optimizer step
 * @param schedule           learning-rate schedule
 * @param beta1              AdamW β1
 * @param beta2              AdamW β2
 * @param eps                AdamW ε
 * @param weightDecay        decoupled weight decay, applied to matrices only
 * @param gradClip           clip the global gradient norm to this (0 disables)
 * @param evalInterval       estimate train/val loss every this many steps (0 disables; always at the end)
 * @param evalBatches        batches per loss estimate
 * @param checkpointInterval save a checkpoint every this many steps (0: only at the end)
 */
public record TrainingConfig(int maxSteps, int gradAccumulation, LearningRateSchedule schedule, float beta1, float beta2,
                             float eps, float weightDecay, float gradClip, int evalInterval, int evalBatches,
                             int checkpointInterval) {

    /** Checks every setting's range; the message names the one out of range. */
    public TrainingConfig {
        if (maxSteps < 0) {
            throw new IllegalArgumentException("maxSteps must be >= 0, was " + maxSteps);
        }
        if (gradAccumulation < 1) {
            throw new IllegalArgumentException("gradAccumulation must be >= 1, was " + gradAccumulation);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW betas must be in [0, 1), were " + beta1 + ", " + beta2);
        }
        if (!(eps > 0) || !(weightDecay >= 0) || !(gradClip >= 0)) {
            throw new IllegalArgumentException("eps must be > 0, weightDecay and gradClip >= 0; were " + eps + ", "
                    + weightDecay + ", " + gradClip);
        }
        if (evalInterval < 0 || evalBatches < 1 || checkpointInterval < 0) {
            throw new IllegalArgumentException("evalInterval and checkpointInterval must be >= 0 and evalBatches >= 1");
        }
    }

    /**
     * A builder with nanoGPT's shakespeare-char recipe (see the class comment).
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Fluent construction of a {@link TrainingConfig}. */
    public static final class Builder {
        private int maxSteps = 2000;
        private int gradAccumulation = 1;
        private float lr = 1e-3f;
        private float minLr = 1e-4f;
        private int warmup = 100;
        private int decaySteps = -1;
        private float beta1 = 0.9f;
        private float beta2 = 0.99f;
        private float eps = 1e-8f;
        private float weightDecay = 0.1f;
        private float gradClip = 1.0f;
        private int evalInterval = 250;
        private int evalBatches = 200;
        private int checkpointInterval = 0;

        private Builder() {
        }

        /**
         * The optimizer steps in all (default 2000).
         *
         * @param v at least 0
         * @return this builder
         */
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        /**
         * Micro-batches per optimizer step (default 1).
         *
         * @param v at least 1
         * @return this builder
         */
        public Builder gradAccumulation(int v) { gradAccumulation = v; return this; }
        /**
         * The peak learning rate (default 1e-3).
         *
         * @param v positive
         * @return this builder
         */
        public Builder learningRate(float v) { lr = v; return this; }
        /**
         * The rate the cosine decays to (default 1e-4; capped at the peak rate).
         *
         * @param v 0 or more
         * @return this builder
         */
        public Builder minLearningRate(float v) { minLr = v; return this; }
        /**
         * Steps of linear warm-up (default 100).
         *
         * @param v 0 or more
         * @return this builder
         */
        public Builder warmupSteps(int v) { warmup = v; return this; }
        /**
         * Steps over which the cosine decays; defaults to {@code maxSteps}.
         *
         * @param v 0 or more
         * @return this builder
         */
        public Builder decaySteps(int v) { decaySteps = v; return this; }
        /**
         * AdamW's moment decays (default 0.9 and 0.99).
         *
         * @param b1 β1, in [0, 1)
         * @param b2 β2, in [0, 1)
         * @return this builder
         */
        public Builder betas(float b1, float b2) { beta1 = b1; beta2 = b2; return this; }
        /**
         * AdamW ε (default 1e-8).
         *
         * @param v positive
         * @return this builder
         */
        public Builder eps(float v) { eps = v; return this; }
        /**
         * Decoupled weight decay of matrices (default 0.1).
         *
         * @param v 0 or more
         * @return this builder
         */
        public Builder weightDecay(float v) { weightDecay = v; return this; }
        /**
         * The global gradient norm clipped to (default 1.0; 0 disables).
         *
         * @param v 0 or more
         * @return this builder
         */
        public Builder gradClip(float v) { gradClip = v; return this; }
        /**
         * Steps between loss estimates (default 250; 0: only at the end).
         *
         * @param v 0 or more
         * @return this builder
         */
        public Builder evalInterval(int v) { evalInterval = v; return this; }
        /**
         * Batches per loss estimate (default 200).
         *
         * @param v at least 1
         * @return this builder
         */
        public Builder evalBatches(int v) { evalBatches = v; return this; }
        /**
         * Steps between checkpoints (default 0: only at the end).
         *
         * @param v 0 or more
         * @return this builder
         */
        public Builder checkpointInterval(int v) { checkpointInterval = v; return this; }

        /**
         * The config; the cosine decays over {@code maxSteps} unless {@link #decaySteps} was set.
         *
         * @return the config
         */
        public TrainingConfig build() {
            int decay = decaySteps < 0 ? Math.max(maxSteps, warmup) : decaySteps;
            return new TrainingConfig(maxSteps, gradAccumulation,
                    new LearningRateSchedule(lr, Math.min(minLr, lr), Math.min(warmup, decay), decay),
                    beta1, beta2, eps, weightDecay, gradClip, evalInterval, evalBatches, checkpointInterval);
        }
    }
}
