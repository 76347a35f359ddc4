package org.transformer4j.train;

import java.util.Objects;
import org.transformer4j.data.BatchSource;

/**
 * Where a training run's batches come from: {@code train} feeds the optimizer (its position is saved in
 * checkpoints); {@code trainEval} and {@code valEval} feed the loss estimates and are rewound to their
 * start before each estimate, so every estimate sees the same batches.
 */
public record TrainingData(BatchSource train, BatchSource trainEval, BatchSource valEval) {
    public TrainingData {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(trainEval, "trainEval");
        Objects.requireNonNull(valEval, "valEval");
    }
}
