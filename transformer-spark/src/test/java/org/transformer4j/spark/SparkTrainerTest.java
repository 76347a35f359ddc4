package org.transformer4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.Backends;
import org.transformer4j.data.Batch;
import org.transformer4j.data.BatchSource;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.train.Trainer;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingData;
import org.transformer4j.train.TrainingListener;
import org.transformer4j.train.TrainingProgram;

/**
 * {@link SparkTrainer} in Spark's {@code local[2,4]} mode (two task slots, four attempts per task) on loopback: two
 * replicas over the TCP ring train the model one process trains on the union of their batches, and a replica that
 * throws mid-run fails the barrier stage, which Spark retries from the last checkpoint to the same final weights bit
 * for bit.
 */
class SparkTrainerTest {
    private static final int WORKERS = 2;
    private static JavaSparkContext sc;

    @TempDir
    static Path dir;
    private static Path text;
    private static List<String> lines;

    @BeforeAll
    static void start() throws Exception {
        Random rnd = new Random(11);
        lines = new ArrayList<>();
        String[] words = {"to", "be", "or", "not", "that", "is", "the", "question", "whether", "tis", "nobler"};
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 6; w++) {
                sb.append(w == 0 ? "" : " ").append(words[rnd.nextInt(words.length)]);
            }
            lines.add(sb.toString());
        }
        text = dir.resolve("corpus.txt");
        Files.write(text, lines, StandardCharsets.UTF_8);
        SparkConf conf = new SparkConf().setMaster("local[" + WORKERS + ",4]").setAppName("SparkTrainerTest")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false");
        sc = new JavaSparkContext(conf);
        sc.setLogLevel("ERROR");
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.close();
        }
    }

    private static GptConfig model() {
        return GptConfig.builder().vocabSize(1).contextLength(16).layers(2).heads(2).embeddingDim(16).dropout(0f).build();
    }

    private static TrainingConfig training() {
        return TrainingConfig.builder().maxSteps(8).gradAccumulation(2).learningRate(1e-2f).minLearningRate(1e-3f)
                .warmupSteps(2).gradClip(1f).evalInterval(4).evalBatches(2).checkpointInterval(3).build();
    }

    private static SparkTrainingJob job(String checkpoints, ReplicaListenerFactory listeners) {
        return new SparkTrainingJob(text.toString(), WORKERS, model(), training(), 8, 5L, checkpoints,
                Duration.ofSeconds(30), 1, listeners);
    }

    /** The global batch: each shard's micro-batch, rows stacked in rank order. */
    static final class Stacked implements BatchSource {
        private final List<BatchSource> shares;

        Stacked(List<BatchSource> shares) {
            this.shares = shares;
        }

        @Override
        public Batch next() {
            List<Batch> parts = shares.stream().map(BatchSource::next).toList();
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (String name : parts.getFirst().tensors().keySet()) {
                int width = parts.getFirst().get(name).shape().dim(1);
                int rows = parts.stream().mapToInt(Batch::batchSize).sum();
                int[] ids = new int[rows * width];
                int at = 0;
                for (Batch p : parts) {
                    int[] x = p.get(name).ints();
                    System.arraycopy(x, 0, ids, at, x.length);
                    at += x.length;
                }
                out.put(name, HostTensor.ofInts(Shape.of(rows, width), ids));
            }
            return new Batch(out);
        }

        @Override
        public long position() {
            return shares.getFirst().position();
        }

        @Override
        public void seek(long position) {
            shares.forEach(s -> s.seek(position));
        }
    }

    /** One process on the global batches: the replicas' shards (contiguous lines), their batches stacked. */
    private static Map<String, HostTensor> oneProcess(CharTokenizer tokenizer, GptConfig config, List<Float> losses) {
        List<TrainingData> shards = new ArrayList<>();
        for (int r = 0; r < WORKERS; r++) {
            StringBuilder shard = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                if ((long) i * WORKERS / lines.size() == r) {
                    shard.append(lines.get(i)).append('\n');
                }
            }
            shards.add(ReplicaData.of(shard.toString(), tokenizer, r, 8 / WORKERS, config.contextLength(), 5L));
        }
        TrainingData global = new TrainingData(new Stacked(shards.stream().map(TrainingData::train).toList()),
                new Stacked(shards.stream().map(TrainingData::trainEval).toList()),
                new Stacked(shards.stream().map(TrainingData::valEval).toList()));
        GptModel gpt = new GptModel(config);
        try (TrainingEngine engine = Backends.openTraining("cpu", new EngineOptions(1, null, 5L));
             TrainingProgram program = engine.compileTraining(gpt, Initializer.initialize(gpt.parameterSpecs(), 5L))) {
            new Trainer(program, training(), global).listener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    losses.add(m.loss());
                }
            }).run();
            return program.weights();
        }
    }

    /** Makes replica {@code rank} throw after step {@code step} of the first attempt. */
    record FailAt(int rank, long step) implements ReplicaListenerFactory {
        @Override
        public TrainingListener create(int replica, int attempt) {
            return new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (replica == rank && attempt == 0 && m.step() == step) {
                        throw new IllegalStateException("injected failure of replica " + rank + " at step " + step);
                    }
                }
            };
        }
    }

    @Test
    void twoReplicasTrainWhatOneProcessTrainsAndAFailedReplicaIsRetriedToTheSameWeights() throws Exception {
        SparkTrainingResult clean = SparkTrainer.train(sc, job(dir.resolve("clean").toUri().toString(), null));
        assertEquals(0, clean.attempt());
        assertEquals(0, clean.resumedFrom());
        assertEquals(8, clean.finalState().step());
        assertEquals(8, clean.losses().length);

        List<Float> losses = new ArrayList<>();
        Map<String, HostTensor> reference = oneProcess(clean.tokenizer(), clean.model(), losses);
        for (int i = 0; i < 8; i++) {
            assertEquals(losses.get(i), clean.losses()[i], 1e-5 * losses.get(i), "loss of step " + (i + 1));
        }
        double max = 0;
        for (String k : reference.keySet()) {
            float[] a = reference.get(k).floats();
            float[] b = clean.finalState().weights().get(k).floats();
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs(a[i] - b[i]));
            }
        }
        assertTrue(max < 2e-5, "weights differ from one process by " + max + " (float32 summation order: < 2e-5)");

        // replica 1 throws at step 5 of the first attempt: the stage fails, is retried, and resumes at step 3
        SparkTrainingResult faulty = SparkTrainer.train(sc, job(dir.resolve("faulty").toUri().toString(),
                new FailAt(1, 5)));
        assertTrue(faulty.attempt() >= 1, "the stage must have been retried, attempt " + faulty.attempt());
        assertEquals(3, faulty.resumedFrom());
        assertEquals(8, faulty.finalState().step());
        clean.finalState().weights().forEach((k, w) -> assertArrayEquals(w.floats(),
                faulty.finalState().weights().get(k).floats(), "after the retry, parameter " + k + " must be bit-identical"));
        assertArrayEquals(java.util.Arrays.copyOfRange(clean.losses(), 3, 8), faulty.losses());
    }
}
