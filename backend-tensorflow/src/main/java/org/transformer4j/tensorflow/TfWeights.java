package org.transformer4j.tensorflow;

import java.util.LinkedHashMap;
import java.util.Map;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;

/** Weights uploaded once into native TensorFlow tensors for inference; closing frees them. */
final class TfWeights implements LoadedWeights {
    private final Map<String, TfValue> tensors = new LinkedHashMap<>();

    TfWeights(Map<String, HostTensor> weights) {
        try {
            weights.forEach((name, t) -> tensors.put(name, TfValue.nativeWeight(t)));
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    @Override
    public Tensor get(String name) {
        TfValue t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no weight named '" + name + "'; the checkpoint has " + tensors.size()
                    + " weights" + (tensors.size() <= 40 ? ": " + tensors.keySet() : ""));
        }
        return t;
    }

    @Override
    public void close() {
        tensors.values().forEach(TfValue::free);
    }
}
