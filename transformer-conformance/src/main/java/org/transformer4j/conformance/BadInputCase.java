package org.transformer4j.conformance;

import java.util.Objects;
import org.transformer4j.backend.Engine;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.Tensor;

/**
 * A case that feeds an engine an input it must refuse (a token id outside the vocabulary, a tensor of the wrong
 * shape or dtype): it passes when both engines throw an {@link IllegalArgumentException} (or a subclass such as
 * {@link org.transformer4j.tensor.ShapeMismatchException}) with a message. Returning a tensor, even one of
 * plausible numbers, fails: garbage out of bad input is the bug this case exists to catch. The result is read
 * back to the host inside the attempt, so a lazy (graph) backend is held to the same rule when it evaluates.
 */
final class BadInputCase implements ConformanceCase {
    /** The slack of a case that compares no numbers. */
    static final Tolerance REFUSAL = new Tolerance(0, 0,
            "no numbers: both engines must refuse the input with an IllegalArgumentException");

    /** Feeds the bad input to an engine and returns what it produced (which it should not). */
    @FunctionalInterface
    interface Attempt {
        Tensor run(Engine engine) throws Exception;
    }

    private final String name;
    private final String description;
    private final Attempt attempt;

    BadInputCase(String name, String description, Attempt attempt) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.attempt = Objects.requireNonNull(attempt, "attempt");
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
        return REFUSAL;
    }

    @Override
    public Need needs() {
        return Need.INFERENCE;
    }

    /** How an engine reacted. */
    private record Reaction(Throwable thrown, String produced) {
        boolean refused() {
            return thrown instanceof IllegalArgumentException && thrown.getMessage() != null
                    && !thrown.getMessage().isBlank();
        }

        String describe() {
            if (thrown == null) {
                return "returned " + produced + " instead of refusing";
            }
            if (thrown instanceof IllegalArgumentException) {
                return refused() ? "refused: " + thrown.getMessage() : "refused without a message (" + thrown + ")";
            }
            return "threw " + thrown + " (an IllegalArgumentException naming the problem was expected)";
        }
    }

    private Reaction react(Engine engine) {
        try {
            Tensor t = attempt.run(engine);
            String produced = t == null ? "null" : "a tensor " + t.shape() + " " + t.dtype();
            if (t != null) {
                try (t) {
                    if (t.dtype() == DType.FLOAT32) {
                        t.toFloatArray();
                    } else {
                        t.toIntArray();
                    }
                }
            }
            return new Reaction(null, produced);
        } catch (Exception | AssertionError | LinkageError e) {
            return new Reaction(e, null);
        }
    }

    @Override
    public CaseResult run(Engine reference, Engine candidate) {
        Reaction ref = react(reference);
        if (ref.thrown() instanceof UnsupportedOperationException) {
            return CaseResult.notSupported("the reference engine '" + reference.backendName() + "' cannot run this "
                    + "case, so nothing was compared: " + ref.thrown().getMessage());
        }
        if (!ref.refused()) {
            return CaseResult.failed("the reference engine '" + reference.backendName() + "' did not refuse the bad "
                    + "input as it must: it " + ref.describe());
        }
        Reaction cand = react(candidate);
        if (cand.thrown() instanceof UnsupportedOperationException) {
            return CaseResult.notSupported(String.valueOf(cand.thrown().getMessage()));
        }
        if (!cand.refused()) {
            return CaseResult.failed("the candidate '" + candidate.backendName() + "' " + cand.describe()
                    + "; the reference " + ref.describe());
        }
        return new CaseResult(CaseStatus.PASS, null, "both refused; candidate: " + cand.thrown().getMessage());
    }

    @Override
    public String toString() {
        return "BadInputCase[" + name + "]";
    }
}
