package org.transformer4j.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.transformer4j.backend.Engine;
import org.transformer4j.tensor.Tensor;

/**
 * A case that computes a vector of numbers on each engine through the engine's public API (load weights, run a
 * model, generate, train) and compares them. The reference and the candidate may compute differently (a key/value
 * cache case runs the candidate incrementally and the reference by full recompute); the outputs' descriptions
 * (shapes, token counts) must agree before the numbers are compared.
 */
final class EngineCase implements ConformanceCase {

    /** What one engine computes for the case. */
    @FunctionalInterface
    interface Computation {
        Outputs compute(Engine engine) throws Exception;
    }

    /** The numbers an engine produced, and a description of their layout that both engines must agree on. */
    record Outputs(List<String> layout, float[] values) {

        /** The values of {@code tensors}, concatenated; the layout is their shapes and dtypes. */
        static Outputs of(Tensor... tensors) {
            Builder b = new Builder();
            for (Tensor t : tensors) {
                b.add(t.shape() + " " + t.dtype(), t.toFloatArray());
            }
            return b.build();
        }
    }

    /** Collects parts of an {@link Outputs}. */
    static final class Builder {
        private final List<String> layout = new ArrayList<>();
        private final List<float[]> parts = new ArrayList<>();

        Builder add(String what, float... values) {
            layout.add(what);
            parts.add(values.clone());
            return this;
        }

        Builder add(String what, int... values) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = values[i];
            }
            layout.add(what);
            parts.add(f);
            return this;
        }

        Outputs build() {
            int n = parts.stream().mapToInt(p -> p.length).sum();
            float[] all = new float[n];
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return new Outputs(List.copyOf(layout), all);
        }
    }

    private final String name;
    private final String description;
    private final Tolerance tolerance;
    private final Need need;
    private final Computation onReference;
    private final Computation onCandidate;

    private EngineCase(String name, String description, Tolerance tolerance, Need need, Computation onReference,
            Computation onCandidate) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
        this.need = Objects.requireNonNull(need, "need");
        this.onReference = Objects.requireNonNull(onReference, "onReference");
        this.onCandidate = Objects.requireNonNull(onCandidate, "onCandidate");
    }

    /** The same computation on both engines. */
    static EngineCase of(String name, String description, Tolerance tolerance, Need need, Computation both) {
        return new EngineCase(name, description, tolerance, need, both, both);
    }

    /** Different computations of the same numbers on the reference and on the candidate. */
    static EngineCase of(String name, String description, Tolerance tolerance, Need need, Computation onReference,
            Computation onCandidate) {
        return new EngineCase(name, description, tolerance, need, onReference, onCandidate);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Tolerance tolerance() {
        return tolerance;
    }

    @Override
    public Need needs() {
        return need;
    }

    @Override
    public CaseResult run(Engine reference, Engine candidate) {
        Outputs expected;
        try {
            expected = onReference.compute(reference);
        } catch (UnsupportedOperationException e) {
            return CaseResult.notSupported("the reference engine '" + reference.backendName() + "' cannot run this"
                    + " case, so nothing was compared: " + e.getMessage());
        } catch (Exception | AssertionError | LinkageError e) {
            return CaseResult.failed("the reference engine '" + reference.backendName() + "' failed, so nothing "
                    + "was compared: " + e);
        }
        Outputs actual;
        try {
            actual = onCandidate.compute(candidate);
        } catch (UnsupportedOperationException e) {
            return CaseResult.notSupported(String.valueOf(e.getMessage()));
        } catch (Exception | AssertionError | LinkageError e) {
            return CaseResult.failed("the candidate '" + candidate.backendName() + "' threw " + e);
        }
        if (!actual.layout().equals(expected.layout())) {
            return new CaseResult(CaseStatus.FAIL, Comparison.failure("outputs differ in layout", tolerance),
                    "outputs differ in layout: candidate " + actual.layout() + ", reference " + expected.layout());
        }
        return CaseResult.compared(Comparison.of(actual.values(), expected.values(), tolerance));
    }

    @Override
    public String toString() {
        return "EngineCase[" + name + "]";
    }
}
