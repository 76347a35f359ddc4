package org.transformer4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.spark.SparkTrainer;
import org.transformer4j.spark.SparkTrainingJob;
import org.transformer4j.spark.SparkTrainingResult;
import org.transformer4j.train.TrainingConfig;

/**
 * {@code train --spark MASTER --workers N}: a character-level GPT trained data-parallel on Spark
 * ({@link SparkTrainer}); checkpoints go to {@code <out>/checkpoints} (which every executor must reach), the model
 * directory to {@code <out>}. Spark is not bundled: run the CLI jar through {@code spark-submit}.
 */
final class SparkTraining {
    private SparkTraining() {
    }

    static int run(TrainCommand o, TrainRecipe r, TrainingConfig training) throws Exception {
        if (!r.task().equals(TrainRecipe.GPT) || !o.tokenizerKind.equalsIgnoreCase("char")) {
            throw new IllegalArgumentException("--spark trains a GPT with the char tokenizer (--task gpt --tokenizer char)");
        }
        if (o.data == null) {
            throw new IllegalArgumentException("--spark needs --data: a text every executor can read (a local path in"
                    + " local mode, else an HDFS or shared path)");
        }
        try {
            Class.forName("org.apache.spark.SparkConf");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("--spark: Spark is not on the classpath; run the CLI through spark-submit,"
                    + " with the application directory's lib/*.jar (see transformer-spark/README.md), e.g. spark-submit --class"
                    + " org.transformer4j.cli.Transformer4jCli --jars LIB_JARS lib/examples-VERSION.jar train --spark ...");
        }
        Path out = o.out != null ? o.out : Path.of("runs/shakespeare-char");
        Files.createDirectories(out);
        String checkpoints = out.toAbsolutePath().resolve("checkpoints").toUri().toString();
        SparkTrainingJob job = new SparkTrainingJob(o.data.toString(), o.workers, GptTraining.modelConfig(r, 1), training,
                r.batchSize(), o.seed, checkpoints, Duration.ofSeconds(120),
                o.backend == null ? "cpu" : o.backend, o.threads, null);
        SparkConf conf = new SparkConf().setAppName("transformer4j train").setIfMissing("spark.master", o.spark);
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            SparkTrainingResult result = SparkTrainer.train(sc, job);
            new ModelDirectory(result.model(), result.finalState().weights(), result.tokenizer()).save(out);
            var last = result.evaluations().isEmpty() ? null : result.evaluations().getLast();
            System.out.printf(Locale.ROOT, "done: %d steps on %d workers (stage attempt %d), %s; model in %s%n",
                    result.finalState().step(), o.workers, result.attempt(),
                    last == null ? "no loss estimate" : String.format(Locale.ROOT, "train loss %.4f, val loss %.4f",
                            last.trainLoss(), last.valLoss()), out);
        }
        return 0;
    }
}
