package org.transformer4j.cpu;

import java.util.List;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.Backend;
import org.transformer4j.backend.Capabilities;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;

/**
 * The embedded pure-Java backend: SIMD kernels on the Vector API, trains and infers, the reference for
 * every other backend. Needs the JVM flag {@code --add-modules jdk.incubator.vector}; without it the
 * backend is listed as unavailable with that reason.
 */
public final class CpuBackend implements Backend {
    /** The name used in configuration. */
    public static final String NAME = "cpu";

    /** The backend; the {@link java.util.ServiceLoader} makes it, applications name it instead ({@value #NAME}). */
    public CpuBackend() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, List.of("cpu"));
    }

    @Override
    public Availability availability() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Availability.no("the JDK module jdk.incubator.vector is not loaded: start the JVM with "
                    + "--add-modules jdk.incubator.vector");
        }
        return Availability.probe(() -> Class.forName("jdk.incubator.vector.FloatVector"));
    }

    @Override
    public TrainingEngine open(EngineOptions options) {
        Availability a = availability();
        if (!a.available()) {
            throw new IllegalStateException("the cpu backend is not available: " + a.reason());
        }
        if (options.device() != null && !options.device().equals("cpu")) {
            throw new IllegalArgumentException("the cpu backend runs on device 'cpu' only, not '" + options.device() + "'");
        }
        LoopShapeCheck.warnOnce();
        return new CpuEngine(options);
    }
}
