package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.conformance.CaseStatus;
import org.transformer4j.conformance.ConformanceKit;
import org.transformer4j.conformance.ConformanceReport;
import org.transformer4j.testing.ReferenceEngine;

/**
 * The standard conformance kit with the cpu backend as candidate and the scalar {@link ReferenceEngine} as
 * reference: one dynamic test per case, named with its errors and tolerance, each asserting PASS.
 */
class CpuConformanceTest {

    @TestFactory
    Stream<DynamicTest> everyStandardCasePassesAgainstTheReference() {
        ConformanceKit kit = ConformanceKit.standard();
        ConformanceReport report;
        try (TrainingEngine cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(2));
             InferenceEngine reference = new ReferenceEngine()) {
            report = kit.run(reference, cpu);
        }
        assertEquals(kit.cases().size(), report.rows().size(), "one row per case");
        System.out.println(report.toTable());
        return report.rows().stream().map(row -> DynamicTest.dynamicTest(row.name() + ": " + summary(row), () -> {
            assertNotNull(row.maxAbsError(), () -> "no numbers were compared: " + describe(row));
            assertEquals(CaseStatus.PASS, row.status(), () -> describe(row));
        }));
    }

    private static String summary(ConformanceReport.Row row) {
        if (row.maxAbsError() == null) {
            return row.status().toString();
        }
        return String.format(Locale.ROOT, "%s, max abs %.2e, max rel %.2e (tolerance abs %.0e, rel %.0e)", row.status(),
                row.maxAbsError(), row.maxRelError(), row.tolerance().abs(), row.tolerance().rel());
    }

    private static String describe(ConformanceReport.Row row) {
        return row.name() + " (" + row.description() + "): " + row.status() + "; " + row.detail() + "; tolerance "
                + row.tolerance();
    }
}
