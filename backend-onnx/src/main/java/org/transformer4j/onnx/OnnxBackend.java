package org.transformer4j.onnx;

import java.util.List;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.Backend;
import org.transformer4j.backend.Capabilities;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;

/**
 * The ONNX Runtime serving backend. Registered so that backend listings show it; it reports itself
 * unavailable until its implementation lands, and {@link #open} says so instead of failing obscurely.
 */
public final class OnnxBackend implements Backend {
    static final String NOT_YET = "the onnx backend is not implemented in this release; use the 'cpu' backend";

    @Override
    public String name() {
        return "onnx";
    }

    @Override
    public int priority() {
        return 30;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, false, List.of("cpu"));
    }

    @Override
    public Availability availability() {
        return Availability.no(NOT_YET);
    }

    @Override
    public Engine open(EngineOptions options) {
        throw new UnsupportedOperationException(NOT_YET);
    }
}
