package org.transformer4j.examples;

import org.transformer4j.backend.BackendChoice;
import org.transformer4j.backend.BackendInfo;
import org.transformer4j.backend.BackendRequirement;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Lists the compute backends on the classpath, picks one and opens an engine on it.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp transformer4j.jar org.transformer4j.examples.ChooseBackend [name]
 * java -Dtransformer4j.backend=cpu ...        # or TRANSFORMER4J_BACKEND=cpu, or backend=cpu in transformer4j.properties
 * </pre>
 */
public final class ChooseBackend {
    private ChooseBackend() {
    }

    public static void main(String[] args) {
        // 1. What was found: every backend, available or not, with the reason when not.
        for (BackendInfo info : Backends.list()) {
            System.out.println(info.describe());
        }

        // 2. Selection. The first that is set wins: the name given in code (here: the first argument), the system
        //    property transformer4j.backend, the environment variable TRANSFORMER4J_BACKEND, "backend" in a
        //    transformer4j.properties on the classpath; else the available backend of highest priority.
        //    An unknown or unavailable name fails with a message listing every backend and why.
        String name = args.length > 0 ? args[0] : null;
        BackendChoice choice = Backends.select(name);
        System.out.println("selected " + choice.name() + " (" + choice.source() + ")");

        // A backend that can also train, if the program needs one:
        System.out.println("for training: " + Backends.select(name, BackendRequirement.TRAINING).name());

        // 3. Open an engine (2 threads, default device, seed 0) and run one operation on it.
        try (InferenceEngine engine = Backends.openInference(name, new EngineOptions(2, null, 0))) {
            var ops = engine.inferenceOps();
            try (Tensor x = ops.constant(HostTensor.ofFloats(Shape.of(1, 1, 3), new float[] {-1, 0, 2}));
                 Tensor y = ops.relu(x)) {
                System.out.println(engine.backendName() + ": relu([-1, 0, 2]) = " + java.util.Arrays.toString(y.toFloatArray()));
            }
        }
    }
}
