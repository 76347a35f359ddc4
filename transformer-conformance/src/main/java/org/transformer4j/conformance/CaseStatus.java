package org.transformer4j.conformance;

/** The verdict of one conformance case. */
public enum CaseStatus {
    /** The candidate's numbers are within the case's tolerance of the reference's. */
    PASS,
    /** The numbers differ beyond the tolerance, the shapes differ, or the candidate failed with an error. */
    FAIL,
    /** The candidate reported the operation unsupported ({@link UnsupportedOperationException}). */
    NOT_SUPPORTED
}
