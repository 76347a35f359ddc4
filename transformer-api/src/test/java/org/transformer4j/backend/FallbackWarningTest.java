package org.transformer4j.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warning of a default selection that passes over an unavailable backend of higher priority, as it reaches
 * java.util.logging (where System.Logger goes when the application configures nothing else).
 */
class FallbackWarningTest {

    private final List<LogRecord> records = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger jul = Logger.getLogger(FallbackWarning.LOGGER);

    @BeforeEach
    void listen() {
        jul.addHandler(capture);
    }

    @AfterEach
    void stop() {
        jul.removeHandler(capture);
    }

    private static BackendRegistry registry(List<Backend> backends) {
        return new BackendRegistry(backends, k -> null, k -> null, null);
    }

    @Test
    void oneWarningNamesTheChosenTheSkippedTheReasonAndTheFix() {
        String fix = "the JDK module jdk.incubator.vector is not loaded: start the JVM with --add-modules jdk.incubator.vector";
        BackendRegistry r = registry(List.of(
                FakeBackend.unavailable("fw-simd", 100, fix),
                FakeBackend.available("fw-graph", 50),
                FakeBackend.available("fw-serve", 30)));

        assertThat(r.select(null).name()).isEqualTo("fw-graph");
        assertThat(r.select(null).name()).isEqualTo("fw-graph");
        registry(List.of(FakeBackend.unavailable("fw-simd", 100, fix), FakeBackend.available("fw-graph", 50)))
                .select(null);

        assertThat(records).hasSize(1);
        LogRecord w = records.get(0);
        assertThat(w.getLevel()).isEqualTo(Level.WARNING);
        assertThat(w.getMessage())
                .startsWith("Using backend 'fw-graph' (priority 50) because the higher-priority 'fw-simd' (priority 100)"
                        + " is unavailable: " + fix)
                .contains("--add-modules jdk.incubator.vector")
                .contains("system property transformer4j.backend");
    }

    @Test
    void noWarningWhenTheBestBackendRunsOrWhenOneIsNamed() {
        registry(List.of(FakeBackend.available("nw-a", 100), FakeBackend.unavailable("nw-b", 50, "no library")))
                .select(null);
        BackendRegistry skipping = registry(List.of(
                FakeBackend.unavailable("nw-c", 100, "no library"), FakeBackend.available("nw-d", 50)));
        assertThat(skipping.select("nw-d").name()).isEqualTo("nw-d");
        assertThat(records).isEmpty();
    }

    @Test
    void aSkippedBackendThatCouldNotMeetTheRequirementIsNotMentioned() {
        List<BackendInfo> found = List.of(
                new BackendInfo("rq-serve", 90, new Capabilities(false, true, List.of("cpu")),
                        Availability.no("no library"), "x.Serve"),
                new BackendInfo("rq-train", 10, new Capabilities(true, true, List.of("cpu")), Availability.yes(),
                        "x.Train"));
        assertThat(FallbackWarning.warnIfPassedOver(found, found.get(1), BackendRequirement.TRAINING)).isNull();
        assertThat(FallbackWarning.warnIfPassedOver(found, found.get(1), BackendRequirement.ANY))
                .contains("'rq-serve' (priority 90) is unavailable: no library");
    }
}
