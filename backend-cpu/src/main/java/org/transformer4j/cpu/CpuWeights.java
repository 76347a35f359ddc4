package org.transformer4j.cpu;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.backend.WeightPrecision;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;

/**
 * Named weights as CPU tensors; unknown names fail with the list of what exists. With {@link WeightPrecision#BF16}
 * every matrix (rank 2: linear layers, embedding tables, the tied head) is stored as bfloat16 pairs, which
 * {@link CpuOps#linear} and {@link CpuOps#embedding} read in place; vectors stay float32.
 */
final class CpuWeights implements LoadedWeights {
    final Map<String, CpuTensor> tensors;

    CpuWeights(Map<String, CpuTensor> tensors) {
        this.tensors = tensors;
    }

    /**
     * Wraps host weights for inference: float32 ones without a copy (the CPU backend never writes inference
     * weights), or with the matrices rounded to bfloat16.
     */
    static CpuWeights wrap(Map<String, HostTensor> weights, WeightPrecision precision) {
        Objects.requireNonNull(precision, "precision");
        Map<String, CpuTensor> m = new LinkedHashMap<>();
        weights.forEach((name, t) -> {
            float[] values = t.toFloat32().floats();
            m.put(name, precision == WeightPrecision.BF16 && t.shape().rank() == 2
                    ? CpuTensor.bf16(t.shape(), values) : CpuTensor.floats(t.shape(), values, false));
        });
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
