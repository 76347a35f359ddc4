package org.transformer4j.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.transformer4j.tensor.HostTensor;

/**
 * The content of a safetensors checkpoint: named tensors (in the order their data lies in the file)
 * and the free-form string metadata of the {@code __metadata__} header entry. Both maps are unmodifiable.
 *
 * @param tensors the tensors by name, in file order
 * @param metadata the {@code __metadata__} strings
 */
public record SafetensorsFile(Map<String, HostTensor> tensors, Map<String, String> metadata) {

    /** Copies both maps, keeping their iteration order. */
    public SafetensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
    }

    /**
     * The tensor called {@code name}; fails with the list of names present when there is none.
     *
     * @param name the tensor's name
     * @return the tensor
     */
    public HostTensor tensor(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "'; the checkpoint has " + tensors.size()
                    + " tensors: " + tensors.keySet());
        }
        return t;
    }
}
