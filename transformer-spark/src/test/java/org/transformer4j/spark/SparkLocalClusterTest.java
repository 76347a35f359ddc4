package org.transformer4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.TrainingListener;

/**
 * {@link SparkTrainer} in Spark's {@code local-cluster[4,1,1024]} mode: a standalone Master and four Workers in this
 * JVM, each Worker running its executor as a separate JVM process (classpath from a {@link LocalSparkHome}, the Vector
 * API through {@code spark.executor.extraJavaOptions}). The replicas, one per executor process, talk over the TCP ring
 * on loopback.
 *
 * <ul>
 *   <li>2 and 4 replicas train what one process trains on the same global batch: losses within 1e-5 relative,
 *   weights within 2e-5 absolute (float32 summation order; see {@code DistributedTrainingTest} in backend-cpu for
 *   where that bound comes from).</li>
 *   <li>Of 4 replicas, the executor JVM of replica 2 halts ({@code Runtime.halt}, a killed process: no exception, no
 *   clean socket shutdown by Java) after step 5: the barrier stage fails, the Worker starts a new executor, Spark
 *   retries the stage, which resumes from the step-3 checkpoint and ends with the uninterrupted 4-replica run's weights
 *   bit for bit.</li>
 * </ul>
 *
 * Executors start in seconds each, so this class is in the {@code spark-cluster} profile:
 * {@code ./mvnw -B -ntp -pl transformer-spark -am verify -Pspark-cluster -Dtest=SparkLocalClusterTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("spark-cluster")
class SparkLocalClusterTest {
    private static final int EXECUTORS = 4;
    private static JavaSparkContext sc;
    private static String previousTesting;
    private static String previousHome;

    @TempDir
    static Path dir;
    private static Path text;
    private static List<String> lines;

    @BeforeAll
    static void start() throws Exception {
        text = dir.resolve("corpus.txt");
        lines = SparkFixture.writeCorpus(text);
        LocalSparkHome home = LocalSparkHome.build(dir);
        // the Worker takes SPARK_HOME from spark.test.home when spark.testing is set (as Spark's own suites do)
        previousTesting = System.setProperty("spark.testing", "true");
        previousHome = System.setProperty("spark.test.home", home.home().toString());
        SparkConf conf = new SparkConf().setMaster("local-cluster[" + EXECUTORS + ",1,1024]")
                .setAppName("SparkLocalClusterTest")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.executor.extraClassPath", home.extraClassPath())
                // Spark adds its own --add-opens (JavaModuleOptions); the Vector API and native access are ours
                .set("spark.executor.extraJavaOptions",
                        "--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m")
                .set("spark.executor.memory", "1024m")
                .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false");
        sc = new JavaSparkContext(conf);
        sc.setLogLevel("ERROR");
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.close();
        }
        restore("spark.testing", previousTesting);
        restore("spark.test.home", previousHome);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    /**
     * Halts the JVM of replica {@code rank} after step {@code step}, once: the marker file (created atomically before
     * the halt) keeps the retried replica alive.
     */
    record HaltAt(int rank, long step, String marker) implements ReplicaListenerFactory {
        @Override
        public TrainingListener create(int replica, int attempt) {
            return new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (replica == rank && m.step() == step) {
                        try {
                            Files.createFile(Path.of(marker));
                        } catch (FileAlreadyExistsException again) {
                            return;
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        Runtime.getRuntime().halt(137);
                    }
                }
            };
        }
    }

    /** Trains with {@code workers} replicas and checks them against one process; returns the run. */
    private static SparkTrainingResult trainAndCompare(int workers) {
        SparkTrainingResult clean = SparkTrainer.train(sc, SparkFixture.job(text, workers, "cpu",
                dir.resolve("clean-" + workers).toUri().toString(), null));
        assertEquals(0, clean.attempt());
        assertEquals(SparkFixture.STEPS, clean.finalState().step());
        List<Float> losses = new ArrayList<>();
        Map<String, HostTensor> reference = SparkFixture.oneProcess(lines, workers, "cpu", clean.tokenizer(),
                clean.model(), losses);
        for (int i = 0; i < SparkFixture.STEPS; i++) {
            assertEquals(losses.get(i), clean.losses()[i], 1e-5 * losses.get(i),
                    workers + " replicas, loss of step " + (i + 1));
        }
        double max = SparkFixture.maxAbsDifference(reference, clean.finalState().weights());
        assertTrue(max < 2e-5, workers + " replicas: weights differ from one process by " + max
                + " (float32 summation order: < 2e-5)");
        return clean;
    }

    @Test
    void replicasInSeparateExecutorProcessesTrainWhatOneProcessTrainsAndSurviveAKilledExecutor() {
        trainAndCompare(2);
        SparkTrainingResult clean = trainAndCompare(4);

        Path marker = dir.resolve("halted");
        SparkTrainingResult killed = SparkTrainer.train(sc, SparkFixture.job(text, 4, "cpu",
                dir.resolve("killed").toUri().toString(), new HaltAt(2, 5, marker.toString())));
        assertTrue(Files.exists(marker), "replica 2's executor must have halted");
        assertTrue(killed.attempt() >= 1, "the stage must have been retried, attempt " + killed.attempt());
        assertEquals(3, killed.resumedFrom());
        assertEquals(SparkFixture.STEPS, killed.finalState().step());
        clean.finalState().weights().forEach((k, w) -> assertArrayEquals(w.floats(),
                killed.finalState().weights().get(k).floats(), "after the retry, parameter " + k + " must be bit-identical"));
        assertArrayEquals(Arrays.copyOfRange(clean.losses(), 3, SparkFixture.STEPS), killed.losses());
    }
}
