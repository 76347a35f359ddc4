package org.transformer4j.spark;

import java.io.Serial;
import java.io.Serializable;

/**
 * What a replica task sends back to the driver: rank 0's metrics of its attempt (other ranks send an empty one).
 *
 * @param rank      the replica
 * @param attempt   the barrier stage's attempt that ran it
 * @param startStep the step it resumed from (0 on a fresh start)
 * @param losses    the training loss of each step from {@code startStep} on
 * @param evalSteps the steps at which it evaluated
 * @param evalTrain the loss on training data at each of {@code evalSteps}
 * @param evalVal   the loss on validation data at each of {@code evalSteps}
 */
record ReplicaReport(int rank, int attempt, long startStep, float[] losses, long[] evalSteps, float[] evalTrain,
                     float[] evalVal) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
