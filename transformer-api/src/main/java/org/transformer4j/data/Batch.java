package org.transformer4j.data;

import java.util.LinkedHashMap;
import java.util.Map;
import org.transformer4j.tensor.HostTensor;

/**
 * One training batch as named host tensors, e.g. {@code input_ids} and {@code targets} ({@code [B, T]} int32)
 * for the GPT, or source, source mask, decoder input and targets for the encoder-decoder.
 *
 * @param tensors the tensors by name, in a fixed order
 */
public record Batch(Map<String, HostTensor> tensors) {

    /** Copies the map (keeping its order) and makes it unmodifiable. */
    public Batch {
        tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /**
     * The tensor called {@code name}; fails with the names present if missing.
     *
     * @param name e.g. {@link BatchSampler#INPUT_IDS}
     * @return the tensor
     */
    public HostTensor get(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("batch has no tensor '" + name + "'; it has " + tensors.keySet());
        }
        return t;
    }

    /**
     * Number of sequences: the first dimension of the first tensor.
     *
     * @return B
     */
    public int batchSize() {
        return tensors.values().iterator().next().shape().dim(0);
    }
}
