package org.transformer4j.train;

import java.util.Objects;
import org.transformer4j.data.BatchSource;

/**
 * Where a training run's batches come from: {@code train} feeds the optimizer (its position is saved in
 * checkpoints); {@code trainEval} and {@code valEval} feed the loss estimates and are rewound to their
 * start before each estimate, so every estimate sees the same batches.
 *
 * @param train the optimizer's batches
 * @param trainEval batches of the training split for loss estimates
 * @param valEval batches of the validation split for loss estimates
 */
public record TrainingData(BatchSource train, BatchSource trainEval, BatchSource valEval) {
    /** Checks all three sources are present. */
    public TrainingData {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(trainEval, "trainEval");
        Objects.requireNonNull(valEval, "valEval");
    }
}
