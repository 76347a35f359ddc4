package org.transformer4j.conformance;

import org.transformer4j.backend.Engine;

/**
 * One check of a candidate backend against a reference: computes the same thing on both engines and compares.
 * Implementations must be deterministic (seeded inputs) so that a failure reproduces. A case whose candidate
 * throws {@link UnsupportedOperationException} reports {@link CaseStatus#NOT_SUPPORTED} with the message
 * as reason (the kit also turns such an exception escaping {@link #run} into that verdict).
 */
public interface ConformanceCase {

    /** What a case needs from the candidate engine. */
    enum Need {
        /** Forward computation through {@link org.transformer4j.backend.InferenceEngine#inferenceOps()} or loaded weights. */
        INFERENCE,
        /** Gradients or optimizer steps through {@link org.transformer4j.backend.TrainingEngine#compileTraining}. */
        TRAINING
    }

    /** {@return a unique, stable, lower-case name, e.g. {@code attention_causal}} */
    String name();

    /** {@return one sentence on what is checked, including the sizes} */
    String description();

    /** {@return how close the candidate must be, and why} */
    Tolerance tolerance();

    /** {@return what the case needs from the candidate} */
    Need needs();

    /**
     * Runs the case on both engines and compares.
     *
     * @param reference the engine whose results are taken as right (the cpu backend)
     * @param candidate the engine under test
     * @return the verdict, with the comparison when numbers were compared
     */
    CaseResult run(Engine reference, Engine candidate);
}
