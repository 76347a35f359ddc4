package org.transformer4j.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.TrainingEngine;
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
 * The training run every Spark test shares: a 300-line corpus, a tiny GPT, 8 steps with accumulation, clipping,
 * warm-up and checkpoints every 3 steps, and the independent reference, one process training on the replicas' batches
 * stacked into the global batch.
 */
final class SparkFixture {
    static final int GLOBAL_BATCH = 8;
    static final long SEED = 5L;
    static final int STEPS = 8;

    private SparkFixture() {
    }

    /** 300 lines of six words each, written to {@code dir/corpus.txt}. */
    static List<String> writeCorpus(Path file) throws IOException {
        Random rnd = new Random(11);
        List<String> lines = new ArrayList<>();
        String[] words = {"to", "be", "or", "not", "that", "is", "the", "question", "whether", "tis", "nobler"};
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 6; w++) {
                sb.append(w == 0 ? "" : " ").append(words[rnd.nextInt(words.length)]);
            }
            lines.add(sb.toString());
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        return lines;
    }

    static GptConfig model() {
        return GptConfig.builder().vocabSize(1).contextLength(16).layers(2).heads(2).embeddingDim(16).dropout(0f).build();
    }

    static TrainingConfig training() {
        return TrainingConfig.builder().maxSteps(STEPS).gradAccumulation(2).learningRate(1e-2f).minLearningRate(1e-3f)
                .warmupSteps(2).gradClip(1f).evalInterval(4).evalBatches(2).checkpointInterval(3).build();
    }

    static SparkTrainingJob job(Path text, int workers, String backend, String checkpoints,
                                ReplicaListenerFactory listeners) {
        return new SparkTrainingJob(text.toString(), workers, model(), training(), GLOBAL_BATCH, SEED, checkpoints,
                Duration.ofSeconds(60), backend, 1, listeners);
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

    /**
     * One process, no Spark, no collective, on the global batches: the replicas' shards (contiguous lines, as
     * {@link SparkTrainer#shard} cuts them), their batches stacked. Adds each step's loss to {@code losses}; returns
     * the final weights.
     */
    static Map<String, HostTensor> oneProcess(List<String> lines, int workers, String backend, CharTokenizer tokenizer,
                                              GptConfig config, List<Float> losses) {
        List<TrainingData> shards = new ArrayList<>();
        for (int r = 0; r < workers; r++) {
            StringBuilder shard = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                if ((long) i * workers / lines.size() == r) {
                    shard.append(lines.get(i)).append('\n');
                }
            }
            shards.add(ReplicaData.of(shard.toString(), tokenizer, r, GLOBAL_BATCH / workers, config.contextLength(),
                    SEED));
        }
        TrainingData global = new TrainingData(new Stacked(shards.stream().map(TrainingData::train).toList()),
                new Stacked(shards.stream().map(TrainingData::trainEval).toList()),
                new Stacked(shards.stream().map(TrainingData::valEval).toList()));
        GptModel gpt = new GptModel(config);
        try (TrainingEngine engine = Backends.openTraining(backend, new EngineOptions(1, null, SEED));
             TrainingProgram program = engine.compileTraining(gpt, Initializer.initialize(gpt.parameterSpecs(), SEED))) {
            new Trainer(program, training(), global).listener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    losses.add(m.loss());
                }
            }).run();
            return program.weights();
        }
    }

    /** The largest absolute difference between two sets of weights (same names and shapes). */
    static double maxAbsDifference(Map<String, HostTensor> a, Map<String, HostTensor> b) {
        double max = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k).floats();
            float[] y = b.get(k).floats();
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }
}
