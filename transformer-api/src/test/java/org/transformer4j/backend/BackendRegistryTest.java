package org.transformer4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendRegistryTest {

    private final Map<String, String> props = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();
    private final UnaryOperator<String> propLookup = props::get;
    private final UnaryOperator<String> envLookup = env::get;

    @TempDir
    Path tmp;

    private final List<Backend> four = List.of(
            FakeBackend.available("alpha", 10),
            FakeBackend.available("beta", 20),
            FakeBackend.available("gamma", 30),
            FakeBackend.available("delta", 40));

    private BackendRegistry registry(List<? extends Backend> backends, ClassLoader resources) {
        return new BackendRegistry(backends, propLookup, envLookup, resources);
    }

    private ClassLoader propertiesFile(String content) throws IOException {
        Files.writeString(tmp.resolve("transformer4j.properties"), content);
        return new URLClassLoader(new java.net.URL[] {tmp.toUri().toURL()}, null);
    }

    @Test
    void withNothingSetPicksHighestPriority() {
        BackendChoice c = registry(four, null).select(null);
        assertEquals("delta", c.name());
        assertTrue(c.source().contains("highest-priority"), c.source());
    }

    @Test
    void propertiesFileOverridesPriority() throws IOException {
        BackendChoice c = registry(four, propertiesFile("backend = gamma\n")).select(null);
        assertEquals("gamma", c.name());
        assertTrue(c.source().contains("transformer4j.properties") && c.source().contains("backend=gamma"),
                c.source());
    }

    @Test
    void environmentOverridesPropertiesFile() throws IOException {
        env.put("TRANSFORMER4J_BACKEND", "beta");
        BackendChoice c = registry(four, propertiesFile("backend=gamma")).select(null);
        assertEquals("beta", c.name());
        assertEquals("environment variable TRANSFORMER4J_BACKEND=beta", c.source());
    }

    @Test
    void systemPropertyOverridesEnvironment() throws IOException {
        env.put("TRANSFORMER4J_BACKEND", "beta");
        props.put("transformer4j.backend", "alpha");
        BackendChoice c = registry(four, propertiesFile("backend=gamma")).select(null);
        assertEquals("alpha", c.name());
        assertEquals("system property transformer4j.backend=alpha", c.source());
    }

    @Test
    void nameInCodeOverridesEverything() throws IOException {
        env.put("TRANSFORMER4J_BACKEND", "beta");
        props.put("transformer4j.backend", "alpha");
        BackendChoice c = registry(four, propertiesFile("backend=gamma")).select("delta");
        assertEquals("delta", c.name());
        assertTrue(c.source().contains("passed in code"), c.source());
    }

    @Test
    void blankValuesCountAsUnset() throws IOException {
        props.put("transformer4j.backend", "   ");
        env.put("TRANSFORMER4J_BACKEND", "");
        BackendChoice c = registry(four, propertiesFile("backend=  beta  ")).select("  ");
        assertEquals("beta", c.name());
    }

    @Test
    void propertiesFileWithoutKeyFallsBackToPriority() throws IOException {
        BackendChoice c = registry(four, propertiesFile("other=gamma")).select(null);
        assertEquals("delta", c.name());
    }

    @Test
    void namesAreCaseInsensitiveAndTrimmed() {
        List<Backend> mixed = List.of(FakeBackend.available("CpU", 1), FakeBackend.available("other", 50));
        BackendRegistry r = registry(mixed, null);
        assertEquals("cpu", r.select("  CPU ").name());
        props.put("transformer4j.backend", "cPu");
        assertEquals("cpu", r.select(null).name());
        assertEquals("cpu", r.list().get(1).name());
    }

    @Test
    void priorityFallbackSkipsUnavailableAndBreaksTiesByName() {
        List<Backend> list = List.of(
                FakeBackend.unavailable("top", 99, "native library missing"),
                FakeBackend.available("zeta", 50),
                FakeBackend.available("eta", 50),
                FakeBackend.available("low", 1));
        assertEquals("eta", registry(list, null).select(null).name());
    }

    @Test
    void requirementSelectsBestBackendThatTrains() {
        List<Backend> list = List.of(FakeBackend.inferOnly("server", 90), FakeBackend.available("trainer", 10));
        BackendRegistry r = registry(list, null);
        assertEquals("server", r.select(null).name());
        assertEquals("trainer", r.select(null, BackendRequirement.TRAINING).name());
        assertEquals("server", r.select(null, BackendRequirement.INFERENCE).name());
        BackendNotFoundException ex = assertThrows(BackendNotFoundException.class,
                () -> r.select("server", BackendRequirement.TRAINING));
        assertTrue(ex.getMessage().contains("'server'") && ex.getMessage().contains("cannot train"),
                ex.getMessage());
    }

    @Test
    void listIsSortedByPriorityDescending() {
        List<BackendInfo> infos = registry(four, null).list();
        assertEquals(List.of("delta", "gamma", "beta", "alpha"), infos.stream().map(BackendInfo::name).toList());
        assertEquals(FakeBackend.class.getName(), infos.get(0).implementation());
        assertEquals(40, infos.get(0).priority());
    }

    @Test
    void unknownNameListsEveryBackendWithReasonAndSource() {
        List<Backend> list = List.of(
                FakeBackend.available("cpu", 100),
                FakeBackend.unavailable("tensorflow", 50, "libtensorflow_jni.so not found"),
                FakeBackend.unavailable("onnx", 30, "onnxruntime missing"));
        props.put("transformer4j.backend", "tf");
        BackendNotFoundException ex = assertThrows(BackendNotFoundException.class,
                () -> registry(list, null).select(null));
        String m = ex.getMessage();
        assertTrue(m.contains("system property transformer4j.backend=tf"), m);
        assertTrue(m.contains("'tf'"), m);
        assertTrue(m.contains("cpu (priority 100"), m);
        assertTrue(m.contains("tensorflow (priority 50") && m.contains("libtensorflow_jni.so not found"), m);
        assertTrue(m.contains("onnx (priority 30") && m.contains("onnxruntime missing"), m);
        assertTrue(m.contains("classpath") && m.contains("pick one"), m);
        assertEquals(3, ex.found().size());
    }

    @Test
    void unavailableNameFailsWithItsReasonInsteadOfFallingBack() {
        List<Backend> list = List.of(FakeBackend.available("cpu", 100),
                FakeBackend.unavailable("tensorflow", 50, "no GPU driver"));
        env.put("TRANSFORMER4J_BACKEND", "TensorFlow");
        BackendNotFoundException ex = assertThrows(BackendNotFoundException.class,
                () -> registry(list, null).select(null));
        String m = ex.getMessage();
        assertTrue(m.contains("environment variable TRANSFORMER4J_BACKEND=TensorFlow"), m);
        assertTrue(m.contains("not available: no GPU driver"), m);
        assertTrue(m.contains("cpu (priority 100"), m);
    }

    @Test
    void noAvailableBackendAtAllFails() {
        List<Backend> list = List.of(FakeBackend.unavailable("a", 1, "reason A"),
                FakeBackend.unavailable("b", 2, "reason B"));
        BackendNotFoundException ex = assertThrows(BackendNotFoundException.class,
                () -> registry(list, null).select(null));
        String m = ex.getMessage();
        assertTrue(m.contains("No available backend"), m);
        assertTrue(m.contains("reason A") && m.contains("reason B"), m);
        BackendNotFoundException none = assertThrows(BackendNotFoundException.class,
                () -> registry(List.of(), null).select(null));
        assertTrue(none.getMessage().contains("none"), none.getMessage());
    }

    @Test
    void backendWhoseAvailabilityThrowsIsListedAsUnavailable() {
        Backend throwing = new FakeBackend("flaky", 80, true, Availability.yes()) {
            @Override
            public Availability availability() {
                throw new IllegalStateException("probe exploded");
            }
        };
        BackendRegistry r = registry(List.of(throwing, FakeBackend.available("ok", 1)), null);
        BackendInfo flaky = r.list().get(0);
        assertEquals("flaky", flaky.name());
        assertFalse(flaky.available());
        assertTrue(flaky.availability().reason().contains("probe exploded"), flaky.availability().reason());
        assertEquals("ok", r.select(null).name());
        BackendNotFoundException ex = assertThrows(BackendNotFoundException.class, () -> r.select("flaky"));
        assertTrue(ex.getMessage().contains("probe exploded"), ex.getMessage());
    }

    @Test
    void duplicateNamesNameBothClasses() {
        Backend second = new FakeBackend("Same", 5, true, Availability.yes()) {
        };
        IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> registry(List.of(FakeBackend.available("same", 1), second), null));
        assertTrue(ex.getMessage().contains(FakeBackend.class.getName()), ex.getMessage());
        assertTrue(ex.getMessage().contains(second.getClass().getName()), ex.getMessage());
    }

    @Test
    void unreadablePropertiesFileIsReportedWithItsLocation() throws IOException {
        ClassLoader cl = propertiesFile("backend=\\u00zz\n");
        var ex = assertThrows(java.io.UncheckedIOException.class, () -> registry(four, cl).select(null));
        assertTrue(ex.getMessage().contains("transformer4j.properties"), ex.getMessage());
    }

    @Test
    void infoDescribesUnknownCapabilitiesOfBrokenProviders() {
        BackendInfo info = new BackendInfo("x.Y", Integer.MIN_VALUE, null, Availability.no("boom"), "x.Y");
        assertTrue(info.describe().contains("UNAVAILABLE: boom"), info.describe());
        assertNull(info.capabilities());
    }

    @Test
    void discoversOnceAndReadsTheConfigurationOnEachSelection() {
        int[] probes = {0};
        Backend counted = new FakeBackend("counted", 5, true, Availability.yes()) {
            @Override
            public Availability availability() {
                probes[0]++;
                return super.availability();
            }
        };
        BackendRegistry r = registry(List.of(counted, FakeBackend.available("other", 1)), null);
        r.list();
        assertEquals("counted", r.select(null).name());
        props.put("transformer4j.backend", "other");
        assertEquals("other", r.select(null).name());
        r.select("counted", BackendRequirement.TRAINING);
        assertEquals(1, probes[0], "availability() is asked once, at discovery");
    }
}
