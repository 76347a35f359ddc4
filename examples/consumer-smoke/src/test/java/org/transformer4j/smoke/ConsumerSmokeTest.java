package org.transformer4j.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link ConsumerSmoke} in fresh JVMs, as an application is started, and checks that the backend the
 * program used is the one configured: by {@code transformer4j.properties} on the classpath, overridden by the
 * environment variable, overridden by the system property; and that without the Vector API flag the default
 * falls back to tensorflow with one warning that gives the fix.
 */
class ConsumerSmokeTest {

    private static final List<String> FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED");

    @TempDir
    static Path tmp;
    private static Path model;
    private static Path propertiesDir;

    private record Run(int exit, String out, String err) {
        String value(String key) {
            return out.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + key + "= line in:\n" + out + "\n" + err));
        }
    }

    @BeforeAll
    static void tinyModelAndPropertiesFile() throws IOException {
        model = tmp.resolve("tiny-gpt");
        ConsumerSmoke.createTinyModel(model);
        propertiesDir = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(propertiesDir.resolve("transformer4j.properties"), "backend=tensorflow\n");
    }

    private static Run run(List<String> jvmFlags, Map<String, String> env, boolean withPropertiesFile)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        String cp = System.getProperty("java.class.path");
        cmd.add(withPropertiesFile ? propertiesDir + File.pathSeparator + cp : cp);
        cmd.add(ConsumerSmoke.class.getName());
        cmd.add(model.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("TRANSFORMER4J_BACKEND");
        pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int exit = p.waitFor();
        Run r = new Run(exit, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        assertThat(r.exit()).as("exit status; stdout:\n%s\nstderr:\n%s", r.out(), r.err()).isZero();
        assertThat(r.value("tokens")).isEqualTo("8");
        return r;
    }

    @Test
    void thePropertiesFileChoosesTheBackend() throws Exception {
        assertThat(run(FLAGS, Map.of(), true).value("backend")).isEqualTo("tensorflow");
    }

    @Test
    void theEnvironmentVariableOverridesThePropertiesFile() throws Exception {
        assertThat(run(FLAGS, Map.of("TRANSFORMER4J_BACKEND", "cpu"), true).value("backend")).isEqualTo("cpu");
    }

    @Test
    void theSystemPropertyOverridesTheEnvironmentAndGeneratesAsCpuDoes() throws Exception {
        List<String> flags = new ArrayList<>(FLAGS);
        flags.add("-Dtransformer4j.backend=tensorflow");
        Run tf = run(flags, Map.of("TRANSFORMER4J_BACKEND", "cpu"), true);
        assertThat(tf.value("backend")).isEqualTo("tensorflow");
        Run cpu = run(FLAGS, Map.of("TRANSFORMER4J_BACKEND", "cpu"), false);
        assertThat(cpu.value("backend")).isEqualTo("cpu");
        assertThat(tf.value("generated")).isEqualTo(cpu.value("generated"));
    }

    @Test
    void withoutTheVectorApiTheDefaultFallsBackWithOneWarningThatGivesTheFix() throws Exception {
        Run r = run(List.of("--enable-native-access=ALL-UNNAMED"), Map.of(), false);
        assertThat(r.value("backend")).isEqualTo("tensorflow");
        List<String> warnings = r.err().lines().filter(l -> l.contains("Using backend 'tensorflow'")).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("'cpu' (priority 100) is unavailable")
                .contains("--add-modules jdk.incubator.vector");
    }
}
