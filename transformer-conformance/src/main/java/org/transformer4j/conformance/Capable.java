package org.transformer4j.conformance;

import org.transformer4j.backend.Engine;
import org.transformer4j.backend.ExportingEngine;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.ServingEngine;
import org.transformer4j.backend.TrainingEngine;

/**
 * The capability an engine needs for a case, or an {@link UnsupportedOperationException} naming what it lacks (the
 * kit reports it as {@link CaseStatus#NOT_SUPPORTED}).
 */
final class Capable {
    private Capable() {
    }

    /** {@code e} as an engine that infers from weights. */
    static InferenceEngine inference(Engine e) {
        if (e instanceof InferenceEngine i) {
            return i;
        }
        throw new UnsupportedOperationException("the " + e.backendName() + " engine does not run the Ops composition"
                + " from weights (it is no InferenceEngine), so this case cannot run on it; an engine that serves"
                + " exported graphs is checked by the whole-model cases through its exports");
    }

    /** {@code e} as an engine that trains. */
    static TrainingEngine training(Engine e) {
        if (e instanceof TrainingEngine t) {
            return t;
        }
        throw new UnsupportedOperationException("the " + e.backendName() + " engine does not train (it is no "
                + "TrainingEngine); train with the cpu or tensorflow backend");
    }

    /**
     * True when whole-model cases run on {@code e} by exporting the model and serving the export (an engine that
     * serves and exports graphs but does not infer from weights).
     */
    static boolean servesExports(Engine e) {
        return !(e instanceof InferenceEngine) && e instanceof ServingEngine && e instanceof ExportingEngine;
    }
}
