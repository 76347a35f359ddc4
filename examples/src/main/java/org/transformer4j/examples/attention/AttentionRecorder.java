package org.transformer4j.examples.attention;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;

/**
 * Ops that run on another backend's ops and, at every {@link #attention} call, keep a host copy of the
 * queries, keys, head count and masks, so that the attention weights can be computed afterwards in plain Java
 * ({@link RecordedAttention#weights}). Works with any backend: it only reads tensors back, never changes a
 * result. Calls are recorded in the order the model makes them (a GPT: one per layer; an encoder-decoder:
 * one per encoder layer, then self and cross per decoder layer).
 */
public final class AttentionRecorder implements Ops {
    private final Ops delegate;
    private final List<RecordedAttention> calls = new ArrayList<>();

    /** Records the attention calls made through {@code delegate} (usually {@code engine.inferenceOps()}). */
    public AttentionRecorder(Ops delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The attention calls recorded so far, in call order. */
    public List<RecordedAttention> calls() {
        return List.copyOf(calls);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor keyMask) {
        Tensor result = delegate.attention(q, k, v, heads, causal, keyMask);
        calls.add(new RecordedAttention(q.shape(), q.toFloatArray(), k.shape(), k.toFloatArray(), heads, causal,
                keyMask == null ? null : keyMask.toIntArray()));
        return result;
    }

    @Override
    public boolean training() {
        return delegate.training();
    }

    @Override
    public Tensor constant(HostTensor value) {
        return delegate.constant(value);
    }

    @Override
    public Tensor embedding(Tensor table, Tensor ids) {
        return delegate.embedding(table, ids);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return delegate.linear(x, weight, bias);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return delegate.layerNorm(x, gamma, beta, eps);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return delegate.add(a, b);
    }

    @Override
    public Tensor scale(Tensor x, float factor) {
        return delegate.scale(x, factor);
    }

    @Override
    public Tensor gelu(Tensor x) {
        return delegate.gelu(x);
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        return delegate.geluTanh(x);
    }

    @Override
    public Tensor relu(Tensor x) {
        return delegate.relu(x);
    }

    @Override
    public Tensor dropout(Tensor x, float p) {
        return delegate.dropout(x, p);
    }

    @Override
    public Tensor[] split(Tensor x, int parts) {
        return delegate.split(x, parts);
    }

    @Override
    public Tensor concatTime(Tensor a, Tensor b) {
        return delegate.concatTime(a, b);
    }

    @Override
    public Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex) {
        return delegate.crossEntropy(logits, targets, ignoreIndex);
    }
}
