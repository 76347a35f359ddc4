package org.transformer4j.nn;

import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;

/**
 * The layer contracts every compute backend implements: whole-layer operations at the granularity
 * of llm.c's forward/backward pairs. Models ({@code GptModel}, {@code Seq2SeqModel}) are composed once
 * from these calls; the CPU backend runs them eagerly and records each layer's backward on a tape,
 * TensorFlow builds graph nodes, ONNX export emits ONNX nodes.
 *
 * <p>Conventions: activations are float32 {@code [B, T, C]} (batch, time, channels); token ids and masks
 * are int32 {@code [B, T]}; weights follow PyTorch ({@code nn.Linear} stores {@code [out, in]}).
 * Every method validates shapes and throws {@link org.transformer4j.tensor.ShapeMismatchException}
 * naming the operation and the shapes.
 */
public interface Ops {

    /** True when the ops record gradients and apply dropout (training), false for inference. */
    boolean training();

    /** Uploads host data (token ids, masks, constant tables) into a tensor of this backend. */
    Tensor constant(HostTensor value);

    /**
     * Row lookup: {@code table [V, C]} and int32 {@code ids} of any shape {@code S} with values in {@code [0, V)}
     * give {@code S + [C]} (ids {@code [B, T]} give {@code [B, T, C]}; position ids {@code [T]} give {@code [T, C]}).
     */
    Tensor embedding(Tensor table, Tensor ids);

    /** {@code x [..., in] · weightᵀ + bias}: {@code weight [out, in]}, {@code bias [out]} or null; gives {@code [..., out]}. */
    Tensor linear(Tensor x, Tensor weight, Tensor bias);

    /** Layer normalization over the last axis with biased variance: {@code gamma, beta [C]} (beta may be null). */
    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps);

    /** Element-wise sum; {@code b} has the shape of {@code a} or of its trailing axes (broadcast over the leading ones). */
    Tensor add(Tensor a, Tensor b);

    /** Multiplies every element by a constant (e.g. the original paper's embedding scale sqrt(d_model)). */
    Tensor scale(Tensor x, float factor);

    /** GELU, exact erf form: {@code x · Φ(x)} (PyTorch {@code nn.GELU()}). */
    Tensor gelu(Tensor x);

    /**
     * GELU, tanh approximation: {@code 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))} (GPT-2's {@code gelu_new},
     * PyTorch {@code nn.GELU(approximate="tanh")}).
     */
    Tensor geluTanh(Tensor x);

    /** ReLU: {@code max(0, x)}. */
    Tensor relu(Tensor x);

    /** Inverted dropout with drop probability {@code p} when training; the identity otherwise or when p is 0. */
    Tensor dropout(Tensor x, float p);

    /** Splits the last axis into {@code parts} equal slices ({@code [..., 3C]} into three {@code [..., C]}). */
    Tensor[] split(Tensor x, int parts);

    /** Joins tensors along axis 1 (time), e.g. a key/value cache and the new step's keys. */
    Tensor concatTime(Tensor a, Tensor b);

    /**
     * Multi-head scaled dot-product attention: {@code softmax(q kᵀ / sqrt(C/heads) + mask) v} per head.
     *
     * @param q       queries {@code [B, Tq, C]}
     * @param k       keys {@code [B, Tk, C]}
     * @param v       values {@code [B, Tk, C]}
     * @param heads   number of heads; must divide C
     * @param causal  query i (at absolute position {@code Tk - Tq + i}) sees only keys at positions ≤ its own;
     *                needs {@code Tq <= Tk} (more queries than keys would leave the first ones seeing nothing)
     * @param keyMask int32 {@code [B, Tk]}, 1 where a key may be attended and 0 for padding; or null
     * @return {@code [B, Tq, C]}, heads concatenated along the last axis
     * @throws org.transformer4j.tensor.ShapeMismatchException for shapes that do not fit, including causal with
     *     {@code Tq > Tk}
     */
    Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor keyMask);

    /**
     * {@link #attention(Tensor, Tensor, Tensor, int, boolean, Tensor)} with dropout on the attention probabilities
     * while {@link #training()}: {@code (dropout(softmax(q kᵀ / sqrt(C/heads) + mask), p)) v}, as nanoGPT and the
     * original Transformer's implementation regularise attention. Outside training, or with {@code p = 0}, it is
     * plain attention. Backends that train implement it; this default serves the others (inference, export).
     *
     * @param dropout drop probability of each attention weight, in [0, 1)
     * @throws UnsupportedOperationException if this backend trains but has no attention dropout
     */
    default Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor keyMask, float dropout) {
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("attention: dropout must be in [0, 1), was " + dropout);
        }
        if (dropout == 0f || !training()) {
            return attention(q, k, v, heads, causal, keyMask);
        }
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not implement dropout of attention"
                + " probabilities; train with dropout 0 on this backend or implement Ops.attention(..., dropout)");
    }

    /**
     * Mean cross-entropy of {@code softmax(logits)} against {@code targets}, over positions whose target is
     * not {@code ignoreIndex}. {@code logits [B, T, V]}, {@code targets [B, T]} int32; gives a scalar.
     */
    Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex);
}
