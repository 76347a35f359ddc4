package org.transformer4j.spark;

import java.io.Serial;
import java.io.Serializable;

/** What a replica task sends back to the driver: rank 0's metrics of its attempt (other ranks send an empty one). */
record ReplicaReport(int rank, int attempt, long startStep, float[] losses, long[] evalSteps, float[] evalTrain,
                     float[] evalVal) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
