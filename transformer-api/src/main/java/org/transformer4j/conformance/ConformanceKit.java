package org.transformer4j.conformance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.transformer4j.backend.Engine;

/**
 * An ordered, immutable catalogue of {@link ConformanceCase}s, run on a reference engine and a candidate engine.
 * {@link #standard()} holds the built-in op-level cases; other packages extend a kit with {@link #with} (for
 * example whole-model logits and loss cases), which returns a new kit with the cases appended.
 *
 * <pre>{@code
 * ConformanceReport report = ConformanceKit.standard().with(myModelCase).run(referenceEngine, cpuEngine);
 * System.out.println(report.toTable());
 * }</pre>
 */
public final class ConformanceKit {
    private final List<ConformanceCase> cases;

    private ConformanceKit(List<ConformanceCase> cases) {
        Set<String> names = new HashSet<>();
        for (ConformanceCase c : cases) {
            Objects.requireNonNull(c, "conformance case");
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("two conformance cases are named '" + c.name()
                        + "'; case names must be unique so that reports can be compared across runs");
            }
        }
        this.cases = List.copyOf(cases);
    }

    /** The built-in catalogue: one case per {@link org.transformer4j.nn.Ops} forward method and its variants. */
    public static ConformanceKit standard() {
        return new ConformanceKit(StandardCases.all());
    }

    /** A kit with no cases, to build a custom catalogue. */
    public static ConformanceKit empty() {
        return new ConformanceKit(List.of());
    }

    /** A new kit with {@code more} appended, in order; names must stay unique. */
    public ConformanceKit with(ConformanceCase... more) {
        return with(List.of(more));
    }

    /** A new kit with {@code more} appended, in order; names must stay unique. */
    public ConformanceKit with(List<? extends ConformanceCase> more) {
        List<ConformanceCase> all = new ArrayList<>(cases);
        all.addAll(more);
        return new ConformanceKit(all);
    }

    /** A new kit with only the cases {@code keep} accepts (e.g. by name), in the same order. */
    public ConformanceKit filter(Predicate<? super ConformanceCase> keep) {
        return new ConformanceKit(cases.stream().filter(keep).toList());
    }

    /** The cases, in order. */
    public List<ConformanceCase> cases() {
        return cases;
    }

    /**
     * Runs every case on both engines, in order. A case that throws is not fatal: an
     * {@link UnsupportedOperationException} becomes {@link CaseStatus#NOT_SUPPORTED}, anything else a FAIL row
     * naming the exception.
     */
    public ConformanceReport run(Engine reference, Engine candidate) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(candidate, "candidate");
        List<ConformanceReport.Row> rows = new ArrayList<>();
        for (ConformanceCase c : cases) {
            CaseResult result;
            try {
                result = Objects.requireNonNull(c.run(reference, candidate), "case returned no result");
            } catch (UnsupportedOperationException e) {
                result = CaseResult.notSupported(String.valueOf(e.getMessage()));
            } catch (RuntimeException | AssertionError | LinkageError e) {
                result = CaseResult.failed("the case threw " + e);
            }
            rows.add(ConformanceReport.Row.of(c, result));
        }
        return new ConformanceReport(reference.backendName(), candidate.backendName(), rows);
    }
}
