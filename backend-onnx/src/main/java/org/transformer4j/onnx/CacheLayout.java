package org.transformer4j.onnx;

import org.transformer4j.model.GptConfig;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.model.Seq2SeqConfig;

/**
 * The shape of a graph's key/value cache: how many layers have one and how each of their {@code past_key_values}
 * tensors is laid out ({@code [batch, heads, positions, headDim]}, where {@code heads} are the key/value heads:
 * {@code num_key_value_heads} for grouped-query attention). One place derives it from a config, so the graph check
 * and the caches agree.
 *
 * @param layers  decoder layers (one key and one value tensor each)
 * @param heads   key/value heads per tensor
 * @param headDim width of one head
 */
record CacheLayout(int layers, int heads, int headDim) {

    /** The cache of {@code config}'s decoder: the GPT's or Llama's layers, or an encoder-decoder's decoder layers. */
    static CacheLayout of(ModelConfig config) {
        return switch (config) {
            case GptConfig g -> new CacheLayout(g.layers(), g.heads(), g.headDim());
            case LlamaConfig l -> new CacheLayout(l.layers(), l.kvHeads(), l.headDim());
            case Seq2SeqConfig s -> new CacheLayout(s.decoderLayers(), s.heads(), s.headDim());
        };
    }
}
