package org.transformer4j.conformance;

import java.util.Objects;

/**
 * What one case found: its verdict, the numeric comparison when numbers were compared, and a detail line
 * (the comparison's summary, the candidate's error, or why the operation is not supported).
 *
 * @param status     the verdict
 * @param comparison the comparison of the candidate's numbers with the reference's, or null when none was made
 * @param detail     a human-readable explanation, never null
 */
public record CaseResult(CaseStatus status, Comparison comparison, String detail) {

    /**
     * Checks that the verdict and the detail are present.
     *
     * @throws NullPointerException when {@code status} or {@code detail} is null
     */
    public CaseResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * The verdict of a comparison: PASS or FAIL as it says, its {@link Comparison#describe()} as detail.
     *
     * @param comparison the numbers compared
     * @return the result
     */
    public static CaseResult compared(Comparison comparison) {
        return new CaseResult(comparison.passed() ? CaseStatus.PASS : CaseStatus.FAIL, comparison,
                comparison.describe());
    }

    /**
     * The candidate does not support what the case needs.
     *
     * @param reason what is missing, e.g. the candidate's {@link UnsupportedOperationException} message
     * @return a {@link CaseStatus#NOT_SUPPORTED} result
     */
    public static CaseResult notSupported(String reason) {
        return new CaseResult(CaseStatus.NOT_SUPPORTED, null, reason);
    }

    /**
     * The case failed before numbers could be compared (an exception, a shape mismatch...).
     *
     * @param detail what went wrong
     * @return a FAIL result without a comparison
     */
    public static CaseResult failed(String detail) {
        return new CaseResult(CaseStatus.FAIL, null, detail);
    }
}
