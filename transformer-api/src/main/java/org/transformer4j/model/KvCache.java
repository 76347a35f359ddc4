package org.transformer4j.model;

import java.util.ArrayList;
import java.util.List;
import org.transformer4j.nn.Ops;
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

    /**
     * An empty cache for a model of {@code layers} decoder layers.
     *
     * @param layers the number of decoder layers
     * @param withCross whether each layer also caches cross-attention (encoder-decoder)
     */
    public KvCache(int layers, boolean withCross) {
        for (int i = 0; i < layers; i++) {
            self.add(new AttentionCache());
            if (withCross) {
                cross.add(new AttentionCache());
            }
        }
    }

    /**
     * The self-attention cache of layer {@code i}.
     *
     * @param layer the layer, from 0
     * @return its cache
     */
    public AttentionCache self(int layer) {
        return self.get(layer);
    }

    /**
     * The cross-attention cache of layer {@code i}; fails for a decoder-only model.
     *
     * @param layer the layer, from 0
     * @return its cache
     */
    public AttentionCache cross(int layer) {
        if (cross.isEmpty()) {
            throw new IllegalStateException("this cache belongs to a decoder-only model: it has no cross-attention");
        }
        return cross.get(layer);
    }

    /**
     * Positions processed so far.
     *
     * @return the length
     */
    public int length() {
        return self.isEmpty() ? 0 : self.get(0).length();
    }

    /**
     * Keeps the batch rows {@code rows} of every layer's self- and cross-attention cache, in this order (rows may
     * repeat or be left out): how beam search continues the surviving hypotheses and how batched generation drops
     * finished sequences. See {@link AttentionCache#selectRows} for the cost (a host round trip of the cache).
     *
     * @param ops the ops that upload the gathered rows
     * @param rows the old row of each new row
     */
    public void selectRows(Ops ops, int[] rows) {
        for (AttentionCache c : self) {
            c.selectRows(ops, rows);
        }
        for (AttentionCache c : cross) {
            c.selectRows(ops, rows);
        }
    }

    /**
     * Batch size of the cached tensors, or 0 before the first step.
     *
     * @return B, or 0
     */
    public int batchSize() {
        return self.isEmpty() ? 0 : self.get(0).batchSize();
    }

    /**
     * Number of decoder layers.
     *
     * @return the layer count
     */
    public int layers() {
        return self.size();
    }

    @Override
    public void close() {
        self.forEach(AttentionCache::close);
        cross.forEach(AttentionCache::close);
    }
}
