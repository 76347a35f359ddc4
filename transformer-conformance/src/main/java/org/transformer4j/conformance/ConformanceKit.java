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
 * {@link #standard()} holds the op-level cases (one per {@link org.transformer4j.nn.Ops} forward, each comparing
 * numbers); {@link #complete()} adds the whole-model, generation, training, checkpoint and bad-input cases, and is
 * what a new backend must pass against the cpu backend ({@code transformer4j conformance}). The two stay separate
 * because the op-level kit is also what the cpu backend runs against the scalar test reference, which does not
 * train. Other packages extend a kit with {@link #with}, which returns a new kit with the cases appended.
 *
 * <pre>{@code
 * ConformanceReport report = ConformanceKit.complete().run(cpuEngine, candidateEngine);
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

    /**
     * {@return the built-in catalogue: one case per {@link org.transformer4j.nn.Ops} forward method and its
     * variants}
     */
    public static ConformanceKit standard() {
        return new ConformanceKit(StandardCases.all());
    }

    /**
     * The full catalogue: {@link #standard()}, then whole-model logits and loss of both architectures (pre- and
     * post-LN), the key/value cache against a full recompute, greedy and beam-search outputs token for token, the
     * gradients and one AdamW step ({@link ConformanceCase.Need#TRAINING}), checkpoints trained on one engine and
     * run on the other, and bad inputs each engine must refuse with an {@link IllegalArgumentException}. Every case
     * carries its tolerance and the reason for it; the models are tiny (width 12, vocabulary 29), so the whole kit
     * runs in seconds on the cpu backend.
     *
     * @return the kit a new backend must pass
     */
    public static ConformanceKit complete() {
        List<ConformanceCase> all = new ArrayList<>(StandardCases.all());
        all.addAll(ModelCases.all());
        all.addAll(RuntimeCases.all());
        all.addAll(TrainingCases.all());
        all.addAll(LlamaCases.all());
        all.addAll(BadInputCases.all());
        return new ConformanceKit(all);
    }

    /** {@return a kit with no cases, to build a custom catalogue} */
    public static ConformanceKit empty() {
        return new ConformanceKit(List.of());
    }

    /**
     * A new kit with cases appended, in order; names must stay unique.
     *
     * @param more the cases to append
     * @return the new kit (this one is unchanged)
     * @throws IllegalArgumentException when a name is already taken
     */
    public ConformanceKit with(ConformanceCase... more) {
        return with(List.of(more));
    }

    /**
     * A new kit with cases appended, in order; names must stay unique.
     *
     * @param more the cases to append
     * @return the new kit (this one is unchanged)
     * @throws IllegalArgumentException when a name is already taken
     */
    public ConformanceKit with(List<? extends ConformanceCase> more) {
        List<ConformanceCase> all = new ArrayList<>(cases);
        all.addAll(more);
        return new ConformanceKit(all);
    }

    /**
     * A new kit with only some of the cases, in the same order.
     *
     * @param keep accepts the cases to keep (e.g. by name)
     * @return the new kit (this one is unchanged)
     */
    public ConformanceKit filter(Predicate<? super ConformanceCase> keep) {
        return new ConformanceKit(cases.stream().filter(keep).toList());
    }

    /** {@return the cases, in order (immutable)} */
    public List<ConformanceCase> cases() {
        return cases;
    }

    /**
     * Runs every case on both engines, in order. A case that throws is not fatal: an
     * {@link UnsupportedOperationException} becomes {@link CaseStatus#NOT_SUPPORTED}, anything else a FAIL row
     * naming the exception.
     *
     * @param reference the engine whose results are taken as right (the cpu backend)
     * @param candidate the engine under test
     * @return one row per case, in catalogue order
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
