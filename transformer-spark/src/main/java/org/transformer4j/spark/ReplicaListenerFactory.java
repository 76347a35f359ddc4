package org.transformer4j.spark;

import java.io.Serializable;
import org.transformer4j.train.TrainingListener;

/**
 * Makes a {@link TrainingListener} inside each replica task (on the executor), e.g. to log a replica's progress or, in
 * tests, to make one replica fail at a given step. Sent to the executors, so it must be serializable.
 */
@FunctionalInterface
public interface ReplicaListenerFactory extends Serializable {

    /**
     * Makes the listener of one replica's attempt; called on the executor when the replica starts.
     *
     * @param rank    the replica, {@code 0 <= rank < workers}
     * @param attempt the barrier stage's attempt number (0 first, then 1, 2, ... after failures)
     * @return the listener the replica's trainer reports to
     */
    TrainingListener create(int rank, int attempt);
}
