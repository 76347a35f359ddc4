package org.transformer4j.spark;

import java.time.Duration;
import java.util.Objects;
import org.transformer4j.model.GptConfig;
import org.transformer4j.train.TrainingConfig;

/**
 * What {@link SparkTrainer#train} trains: a character-level GPT on a text of any Hadoop file system, data-parallel over
 * {@code workers} replicas.
 *
 * @param textPath          the UTF-8 text (a file or directory: local, {@code hdfs://}, {@code s3a://}, ...)
 * @param workers           replicas, one barrier task each (the cluster needs that many free task slots)
 * @param model             the GPT; its {@code vocabSize} is replaced by the number of distinct characters of the text
 * @param training          the schedule, AdamW, clipping, accumulation, evaluation and checkpoint intervals, as for one
 *                          process ({@code checkpointInterval} is how far a failed stage falls back; 0: only the end)
 * @param globalBatchSize   sequences per micro-batch over all replicas; each trains {@code globalBatchSize / workers}
 * @param seed              weights, batches (each replica its own stream) and dropout
 * @param checkpointDir     a directory every worker and the driver can reach (Hadoop path); rank 0 writes there, and a
 *                          retried stage (or a new job) resumes from the newest checkpoint in it
 * @param collectiveTimeout how long a replica waits for a peer before failing the stage
 * @param backend           the training backend of every replica: {@code cpu}, or {@code tensorflow} (its jars and
 *                          TensorFlow's on the executors' classpath)
 * @param threadsPerWorker  compute threads of each replica's engine (0: one per core of its executor)
 * @param listeners         optional per-replica listeners ({@code null}: none)
 */
public record SparkTrainingJob(String textPath, int workers, GptConfig model, TrainingConfig training,
                               int globalBatchSize, long seed, String checkpointDir, Duration collectiveTimeout,
                               String backend, int threadsPerWorker, ReplicaListenerFactory listeners) {
    /** Checks the job before any Spark work: inputs present, at least one worker, the batch a multiple of them. */
    public SparkTrainingJob {
        Objects.requireNonNull(textPath, "textPath");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        Objects.requireNonNull(collectiveTimeout, "collectiveTimeout");
        Objects.requireNonNull(backend, "backend (cpu or tensorflow)");
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, was " + workers);
        }
        if (globalBatchSize < workers || globalBatchSize % workers != 0) {
            throw new IllegalArgumentException("the global batch size (" + globalBatchSize + ") must be a multiple of"
                    + " the number of workers (" + workers + "), so every replica trains the same number of sequences");
        }
        if (threadsPerWorker < 0) {
            throw new IllegalArgumentException("threadsPerWorker must be >= 0, was " + threadsPerWorker);
        }
    }
}
