package org.transformer4j.model;

import java.util.ArrayList;
import java.util.List;
import org.transformer4j.nn.layers.AttentionCache;

/**
 * The key/value cache of a whole decoder for incremental generation: one self-attention cache per layer
 * and, for the encoder-decoder, one cross-attention cache per layer (the encoder output's keys and values,
 * computed once). {@link #length()} is the number of positions already processed. Close it to free
 * native tensors.
 */
public final class KvCache implements AutoCloseable {
    private final List<AttentionCache> self = new ArrayList<>();
    private final List<AttentionCache> cross = new ArrayList<>();

    public KvCache(int layers, boolean withCross) {
        for (int i = 0; i < layers; i++) {
            self.add(new AttentionCache());
            if (withCross) {
                cross.add(new AttentionCache());
            }
        }
    }

    /** The self-attention cache of layer {@code i}. */
    public AttentionCache self(int layer) {
        return self.get(layer);
    }

    /** The cross-attention cache of layer {@code i}; fails for a decoder-only model. */
    public AttentionCache cross(int layer) {
        if (cross.isEmpty()) {
            throw new IllegalStateException("this cache belongs to a decoder-only model: it has no cross-attention");
        }
        return cross.get(layer);
    }

    /** Positions processed so far. */
    public int length() {
        return self.isEmpty() ? 0 : self.get(0).length();
    }

    public int layers() {
        return self.size();
    }

    @Override
    public void close() {
        self.forEach(AttentionCache::close);
        cross.forEach(AttentionCache::close);
    }
}
