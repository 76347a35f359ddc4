package org.transformer4j.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.conformance.CaseStatus;
import org.transformer4j.conformance.ConformanceKit;
import org.transformer4j.conformance.ConformanceReport;
import org.transformer4j.cpu.CpuBackend;

/**
 * The tensorflow backend against the cpu backend through the conformance kits: {@link ConformanceKit#standard()}
 * (one case per op) and the rest of {@link ConformanceKit#complete()} (whole-model logits and loss of both
 * architectures, key/value caches, greedy and beam decoding, every gradient, one AdamW step, checkpoints both ways,
 * bad inputs refused). One dynamic test per case; each must PASS, and every numeric case must have compared numbers.

 */
class TfConformanceTest {

    private static ConformanceReport report(ConformanceKit kit) {
        try (TrainingEngine cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(1));
             TrainingEngine tf = new TensorFlowBackend().open(EngineOptions.defaults().withThreads(1))) {
            ConformanceReport r = kit.run(cpu, tf);
            System.out.println(r.toTable());
            return r;
        }
    }

    private static Stream<DynamicTest> tests(ConformanceReport report) {
        return report.rows().stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> {
            assertEquals(CaseStatus.PASS, r.status(), r.name() + ": " + r.detail());
            if (!r.name().startsWith("bad_")) {
                assertNotNull(r.maxAbsError(), r.name() + " compared no numbers");
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> standardKit() {
        ConformanceReport r = report(ConformanceKit.standard());
        assertTrue(r.rows().size() >= 20, r.toTable());
        return tests(r);
    }

    @TestFactory
    Stream<DynamicTest> completeKitBeyondTheStandardOne() {
        var standard = ConformanceKit.standard().cases().stream().map(c -> c.name()).toList();
        return tests(report(ConformanceKit.complete().filter(c -> !standard.contains(c.name()))));
    }
}
