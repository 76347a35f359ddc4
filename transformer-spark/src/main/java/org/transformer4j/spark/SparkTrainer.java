package org.transformer4j.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.transformer4j.model.GptConfig;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.train.TrainingCheckpoint;
import org.transformer4j.train.TrainingListener;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * Data-parallel training of a character-level GPT on Apache Spark.
 *
 * <ol>
 *   <li>The text is read through Spark ({@code textFile}: any Hadoop file system), its characters make the vocabulary,
 *   and its lines are cut into {@code workers} contiguous shards.</li>
 *   <li>One barrier stage ({@code rdd.barrier().mapPartitions}) starts every replica at once; the replicas find each
 *   other through the {@code BarrierTaskContext} and build a TCP ring ({@link BarrierRendezvous}).</li>
 *   <li>Each replica trains with the job's backend ({@code cpu} or {@code tensorflow}) on
 *   {@code globalBatchSize / workers} sequences of its shard per micro-batch; every step all-reduces the gradients, so
 *   all replicas apply the same AdamW update ({@code Trainer.distributed}). Rank 0 saves checkpoints to
 *   {@code checkpointDir}.</li>
 *   <li>If any replica fails (an exception, a killed executor, a lost connection, a peer silent past the timeout), the
 *   others fail through the collective, the stage fails, and Spark retries it (up to
 *   {@code spark.stage.maxConsecutiveAttempts}); the retry resumes from the newest checkpoint, and since batches and
 *   dropout are functions of the step, it ends with the weights an uninterrupted run ends with.</li>
 * </ol>
 *
 * <pre>{@code
 * try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setAppName("train"))) {
 *     SparkTrainingResult r = SparkTrainer.train(sc, job);
 *     new ModelDirectory(r.model(), r.finalState().weights(), r.tokenizer()).save(out);
 * }
 * }</pre>
 */
public final class SparkTrainer {
    private SparkTrainer() {
    }

    /**
     * Runs {@code job} on {@code sc}'s cluster; returns when the barrier stage has succeeded.
     *
     * @param sc  the Spark context whose executors run the replicas (one task slot each)
     * @param job what to train, on how many workers, and where the checkpoints go
     * @return the trained model and tokenizer, the final weights and optimizer state, and the losses
     */
    public static SparkTrainingResult train(JavaSparkContext sc, SparkTrainingJob job) {
        JavaRDD<String> lines = sc.textFile(job.textPath());
        String vocabulary = vocabulary(lines);
        CharTokenizer tokenizer = CharTokenizer.fromText(vocabulary);
        RecordForm<GptConfig> model = RecordForm.of(job.model()).with("vocabSize", tokenizer.vocabSize());
        JavaRDD<String> shards = shard(lines, job.workers());
        ReplicaTask task = new ReplicaTask(model, RecordForm.of(job.training()), vocabulary,
                job.globalBatchSize() / job.workers(), job.seed(), job.checkpointDir(), job.collectiveTimeout(),
                job.backend(), job.threadsPerWorker(), job.listeners());
        sc.setJobDescription("transformer4j: " + job.workers() + " replicas training on " + job.textPath());
        RDD<ReplicaReport> reports = shards.rdd().barrier().mapPartitions(task, false,
                ClassTag$.MODULE$.apply(ReplicaReport.class));
        // Spark retries a failed barrier stage only if it is a shuffle-map stage (a failed result stage aborts the
        // job), so the reports go through a shuffle to the driver's result stage.
        List<ReplicaReport> collected = new JavaRDD<>(reports, ClassTag$.MODULE$.apply(ReplicaReport.class))
                .repartition(1).collect();
        if (collected.size() != 1) {
            throw new IllegalStateException("expected one report (from rank 0), got " + collected.size());
        }
        ReplicaReport rank0 = collected.getFirst();
        TrainingCheckpoint last = new CheckpointStore(job.checkpointDir()).latest().orElseThrow(() ->
                new IllegalStateException("the training stage succeeded but " + job.checkpointDir() + " has no checkpoint"));
        List<TrainingListener.EvalMetrics> evals = new ArrayList<>();
        for (int i = 0; i < rank0.evalSteps().length; i++) {
            evals.add(new TrainingListener.EvalMetrics(rank0.evalSteps()[i], rank0.evalTrain()[i], rank0.evalVal()[i]));
        }
        return new SparkTrainingResult(model.get(), tokenizer, last, rank0.attempt(), rank0.startStep(), rank0.losses(),
                List.copyOf(evals));
    }

    /** The distinct code points of the text (lines and the newlines between them), as one string. */
    static String vocabulary(JavaRDD<String> lines) {
        List<Integer> cps = lines.flatMap(l -> l.codePoints().boxed().iterator()).distinct().collect();
        StringBuilder sb = new StringBuilder("\n");
        cps.stream().sorted().forEach(sb::appendCodePoint);
        return sb.toString();
    }

    /**
     * The lines in {@code workers} partitions of contiguous lines, in order: line {@code i} of {@code n} goes to shard
     * {@code floor(i * workers / n)}.
     */
    static JavaRDD<String> shard(JavaRDD<String> lines, int workers) {
        JavaPairRDD<String, Long> indexed = lines.zipWithIndex();
        long n = indexed.count();
        if (n < workers) {
            throw new IllegalArgumentException("the text has " + n + " lines, fewer than the " + workers + " workers");
        }
        return indexed.mapToPair(t -> new Tuple2<>(t._2(), t._1()))
                .partitionBy(new ShardPartitioner(workers, n))
                .mapPartitions(it -> {
                    List<Tuple2<Long, String>> part = new ArrayList<>();
                    it.forEachRemaining(part::add);
                    part.sort((a, b) -> Long.compare(a._1(), b._1()));
                    return part.stream().map(Tuple2::_2).iterator();
                }, true);
    }

    /** Line index to shard: contiguous ranges. */
    static final class ShardPartitioner extends org.apache.spark.Partitioner {
        private static final long serialVersionUID = 1L;
        private final int workers;
        private final long lines;

        ShardPartitioner(int workers, long lines) {
            this.workers = workers;
            this.lines = lines;
        }

        @Override
        public int numPartitions() {
            return workers;
        }

        @Override
        public int getPartition(Object key) {
            return (int) ((Long) key * workers / lines);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ShardPartitioner p && p.workers == workers && p.lines == lines;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(lines) * 31 + workers;
        }
    }
}
