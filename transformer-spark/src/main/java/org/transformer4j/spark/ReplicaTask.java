package org.transformer4j.spark;

import java.io.Serial;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.train.Trainer;
import org.transformer4j.train.TrainingCheckpoint;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingListener;
import org.transformer4j.train.TrainingProgram;
import org.transformer4j.train.distributed.Collective;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one barrier task: joins the replicas' ring, builds its shard's batches, opens an engine of the job's
 * backend, resumes from the newest checkpoint if there is one, and runs the {@link Trainer} as one replica. Rank 0
 * saves the checkpoints and reports the metrics. Any failure (its own, or a peer's seen through the collective) fails
 * the task, and with it the barrier stage, which Spark then retries as a whole.
 */
final class ReplicaTask extends AbstractFunction1<Iterator<String>, Iterator<ReplicaReport>> implements java.io.Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final RecordForm<GptConfig> model;
    private final RecordForm<TrainingConfig> training;
    private final String vocabulary;
    private final int perReplicaBatch;
    private final long seed;
    private final String checkpointDir;
    private final long timeoutMillis;
    private final String backend;
    private final int threads;
    private final ReplicaListenerFactory listeners;

    ReplicaTask(RecordForm<GptConfig> model, RecordForm<TrainingConfig> training, String vocabulary, int perReplicaBatch,
                long seed, String checkpointDir, Duration timeout, String backend, int threads,
                ReplicaListenerFactory listeners) {
        this.model = model;
        this.training = training;
        this.vocabulary = vocabulary;
        this.perReplicaBatch = perReplicaBatch;
        this.seed = seed;
        this.checkpointDir = checkpointDir;
        this.timeoutMillis = timeout.toMillis();
        this.backend = backend;
        this.threads = threads;
        this.listeners = listeners;
    }

    @Override
    public Iterator<ReplicaReport> apply(Iterator<String> lines) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int attempt = ctx.stageAttemptNumber();
        StringBuilder shard = new StringBuilder();
        lines.foreach(line -> shard.append(line).append('\n'));
        GptConfig config = model.get();
        TrainingConfig trainingConfig = training.get();
        CharTokenizer tokenizer = CharTokenizer.fromText(vocabulary);
        var data = ReplicaData.of(shard.toString(), tokenizer, rank, perReplicaBatch, config.contextLength(), seed);
        CheckpointStore store = new CheckpointStore(checkpointDir);
        GptModel gpt = new GptModel(config);
        // dropout differs between replicas (each its own seed), as it differs between the rows of one big batch
        try (Collective group = BarrierRendezvous.join(ctx, Duration.ofMillis(timeoutMillis));
             TrainingEngine engine = Backends.openTraining(backend, new EngineOptions(threads, null, seed + 7919L * rank));
             TrainingProgram program = engine.compileTraining(gpt, Initializer.initialize(gpt.parameterSpecs(), seed))) {
            Trainer trainer = new Trainer(program, trainingConfig, data).distributed(group);
            TrainingCheckpoint resume = store.latest().orElse(null);
            if (resume != null) {
                trainer.resumeFrom(resume);
            }
            long start = trainer.step();
            List<Float> losses = new ArrayList<>();
            trainer.listener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    losses.add(m.loss());
                }
            });
            if (listeners != null) {
                trainer.listener(listeners.create(rank, attempt));
            }
            if (rank == 0) {
                trainer.checkpointTo(store::save);
            }
            trainer.run();
            group.barrier(); // rank 0's last checkpoint is written before any replica reports success
            List<ReplicaReport> out = new ArrayList<>();
            if (rank == 0) {
                List<TrainingListener.EvalMetrics> evals = trainer.evaluations();
                long[] steps = new long[evals.size()];
                float[] train = new float[evals.size()];
                float[] val = new float[evals.size()];
                for (int i = 0; i < steps.length; i++) {
                    steps[i] = evals.get(i).step();
                    train[i] = evals.get(i).trainLoss();
                    val[i] = evals.get(i).valLoss();
                }
                float[] l = new float[losses.size()];
                for (int i = 0; i < l.length; i++) {
                    l[i] = losses.get(i);
                }
                out.add(new ReplicaReport(rank, attempt, start, l, steps, train, val));
            }
            return CollectionConverters.asScala(out.iterator());
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("replica " + rank + " (attempt " + attempt + "): " + e.getMessage(), e);
        }
    }
}
