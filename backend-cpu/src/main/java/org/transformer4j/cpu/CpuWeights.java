package org.transformer4j.cpu;

import java.util.LinkedHashMap;
import java.util.Map;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;

/** Named weights as CPU tensors; unknown names fail with the list of what exists. */
final class CpuWeights implements LoadedWeights {
    final Map<String, CpuTensor> tensors;

    CpuWeights(Map<String, CpuTensor> tensors) {
        this.tensors = tensors;
    }

    /** Wraps host weights for inference (no copy: the CPU backend never writes inference weights). */
    static CpuWeights wrap(Map<String, HostTensor> weights) {
        Map<String, CpuTensor> m = new LinkedHashMap<>();
        weights.forEach((name, t) -> m.put(name, CpuTensor.floats(t.shape(), t.toFloat32().floats(), false)));
        return new CpuWeights(m);
    }

    @Override
    public Tensor get(String name) {
        CpuTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no weight named '" + name + "'; the checkpoint has " + tensors.size()
                    + " weights" + (tensors.size() <= 40 ? ": " + tensors.keySet() : ""));
        }
        return t;
    }

    @Override
    public void close() {
    }
}
