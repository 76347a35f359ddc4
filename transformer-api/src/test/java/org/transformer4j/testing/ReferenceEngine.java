package org.transformer4j.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;

/**
 * The engine of the scalar reference backend: {@link ReferenceOps} for inference, weights copied onto the
 * heap, no training. A name and ops can be given so that tests build deliberately altered candidates.
 */
public class ReferenceEngine implements InferenceEngine {
    private final String name;
    private final Ops ops;

    /** The reference engine proper: name {@code reference}, {@link ReferenceOps}. */
    public ReferenceEngine() {
        this(ReferenceBackend.NAME, new ReferenceOps());
    }

    /** An engine with the given name over the given ops (e.g. a deliberately wrong {@link ReferenceOps} subclass). */
    public ReferenceEngine(String name, Ops ops) {
        this.name = Objects.requireNonNull(name, "name");
        this.ops = Objects.requireNonNull(ops, "ops");
    }

    @Override
    public String backendName() {
        return name;
    }

    @Override
    public Ops inferenceOps() {
        return ops;
    }

    @Override
    public LoadedWeights load(Map<String, HostTensor> weights) {
        Objects.requireNonNull(weights, "weights");
        Map<String, Tensor> uploaded = new LinkedHashMap<>();
        weights.forEach((k, v) -> uploaded.put(k, ops.constant(v)));
        return new LoadedWeights() {
            @Override
            public Tensor get(String weightName) {
                Tensor t = uploaded.get(weightName);
                if (t == null) {
                    throw new IllegalArgumentException("no weight named '" + weightName + "' among the "
                            + uploaded.size() + " loaded into the " + name + " engine: " + uploaded.keySet());
                }
                return t;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
    }
}
