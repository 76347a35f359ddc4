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

    /**
     * True when the ops record gradients and apply dropout (training), false for inference.
     *
     * @return true for training ops
     */
    boolean training();

    /**
     * Uploads host data (token ids, masks, constant tables) into a tensor of this backend.
     *
     * @param value the host values
     * @return a tensor of this backend
     */
    Tensor constant(HostTensor value);

    /**
     * Row lookup: {@code table [V, C]} and int32 {@code ids} of any shape {@code S} with values in {@code [0, V)}
     * give {@code S + [C]} (ids {@code [B, T]} give {@code [B, T, C]}; position ids {@code [T]} give {@code [T, C]}).
     *
     * @param table the embedding table {@code [V, C]}
     * @param ids int32 row indices
     * @return a tensor of this backend, {@code S + [C]}
     */
    Tensor embedding(Tensor table, Tensor ids);

    /**
     * {@code x [..., in] · weightᵀ + bias}: {@code weight [out, in]}, {@code bias [out]} or null; gives {@code [..., out]}.
     *
     * @param x the input {@code [..., in]}
     * @param weight {@code [out, in]}
     * @param bias {@code [out]}, or null
     * @return a tensor of this backend, {@code [..., out]}
     */
    Tensor linear(Tensor x, Tensor weight, Tensor bias);

    /**
     * Layer normalization over the last axis with biased variance: {@code gamma, beta [C]} (beta may be null).
     *
     * @param x the input {@code [..., C]}
     * @param gamma the gain {@code [C]}
     * @param beta the shift {@code [C]}, or null
     * @param eps added to the variance
     * @return the normalized {@code x}, same shape
     */
    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps);

    /**
     * Element-wise sum; {@code b} has the shape of {@code a} or of its trailing axes (broadcast over the leading ones).
     *
     * @param a the left operand
     * @param b the right operand, broadcast over {@code a}'s leading axes
     * @return {@code a + b}, shaped as {@code a}
     */
    Tensor add(Tensor a, Tensor b);

    /**
     * Multiplies every element by a constant (e.g. the original paper's embedding scale sqrt(d_model)).
     *
     * @param x the input
     * @param factor the constant
     * @return {@code factor · x}
     */
    Tensor scale(Tensor x, float factor);

    /**
     * GELU, exact erf form: {@code x · Φ(x)} (PyTorch {@code nn.GELU()}).
     *
     * @param x the input
     * @return GELU of every element
     */
    Tensor gelu(Tensor x);

    /**
     * GELU, tanh approximation: {@code 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))} (GPT-2's {@code gelu_new},
     * PyTorch {@code nn.GELU(approximate="tanh")}).
     *
     * @param x the input
     * @return GELU of every element
     */
    Tensor geluTanh(Tensor x);

    /**
     * ReLU: {@code max(0, x)}.
     *
     * @param x the input
     * @return ReLU of every element
     */
    Tensor relu(Tensor x);

    /**
     * Inverted dropout with drop probability {@code p} when training; the identity otherwise or when p is 0.
     *
     * @param x the input
     * @param p the drop probability, in [0, 1)
     * @return {@code x} with dropped elements zeroed and the others scaled by {@code 1/(1-p)}
     */
    Tensor dropout(Tensor x, float p);

    /**
     * Splits the last axis into {@code parts} equal slices ({@code [..., 3C]} into three {@code [..., C]}).
     *
     * @param x the input {@code [..., parts · C]}
     * @param parts the number of slices
     * @return the slices, in order
     */
    Tensor[] split(Tensor x, int parts);

    /**
     * Joins tensors along axis 1 (time), e.g. a key/value cache and the new step's keys.
     *
     * @param a the earlier positions {@code [B, Ta, C]}
     * @param b the later positions {@code [B, Tb, C]}
     * @return {@code [B, Ta + Tb, C]}
     */
    Tensor concatTime(Tensor a, Tensor b);

    /**
     * A key/value cache {@code [B, T, ...]} followed along axis 1 by a step's {@code [B, t, ...]}: what
     * {@link #concatTime} gives, for the attention layers' caches. A backend may append in place (the cpu backend
     * writes the step into spare room of the cache's storage, so a decoding step copies only its own positions); the
     * caller then treats {@code cache} as consumed and keeps the result. This default is {@link #concatTime}.
     *
     * @param cache the cached positions {@code [B, T, ...]}; not to be used after this call
     * @param step  the new positions {@code [B, t, ...]}
     * @return {@code [B, T + t, ...]}
     */
    default Tensor appendTime(Tensor cache, Tensor step) {
        return concatTime(cache, step);
    }

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
     * @param q queries {@code [B, Tq, C]}
     * @param k keys {@code [B, Tk, C]}
     * @param v values {@code [B, Tk, C]}
     * @param heads number of heads; must divide C
     * @param causal whether a query sees only keys at positions up to its own
     * @param keyMask int32 {@code [B, Tk]}, 1 for a key that may be attended; or null
     * @return {@code [B, Tq, C]}
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
     *
     * @param logits the scores {@code [B, T, V]}
     * @param targets the target ids {@code [B, T]}
     * @param ignoreIndex the target id that marks a position out of the loss (e.g. padding)
     * @return the mean loss, a scalar
     */
    Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex);

    /**
     * RMS normalization over the last axis (Llama's {@code LlamaRMSNorm}, T5's layer norm):
     * {@code y = x / sqrt(mean(x²) + eps) · gamma}, no mean subtracted and no shift.
     *
     * @param gamma {@code [C]} for {@code x [..., C]}
     * @param eps   added to the mean square, {@code >= 0} (Llama uses 1e-5 or 1e-6)
     * @param x the input {@code [..., C]}
     * @return the normalized {@code x}, same shape
     */
    default Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
        throw notImplemented("rmsNorm");
    }

    /**
     * SiLU (swish): {@code x · sigmoid(x)}, the activation of Llama's SwiGLU MLP (PyTorch {@code nn.SiLU()}).
     *
     * @param x the input
     * @return SiLU of every element
     */
    default Tensor silu(Tensor x) {
        throw notImplemented("silu");
    }

    /**
     * Element-wise product; {@code b} has the shape of {@code a} or of its trailing axes (broadcast over the
     * leading ones, as {@link #add}). SwiGLU's {@code silu(gate(x)) · up(x)} is one.
     *
     * @param a the left operand
     * @param b the right operand, broadcast over {@code a}'s leading axes
     * @return {@code a · b}, shaped as {@code a}
     */
    default Tensor multiply(Tensor a, Tensor b) {
        throw notImplemented("multiply");
    }

    /**
     * Rotary position embedding (RoPE) in Hugging Face's {@code rotate_half} convention, applied to each head of
     * {@code x}: with {@code d = headDim/2} and the head's channels split into halves {@code x₁ = x[0, d)} and
     * {@code x₂ = x[d, 2d)}, {@code y₁ = x₁·cos - x₂·sin} and {@code y₂ = x₂·cos + x₁·sin}, where
     * {@code cos[i] = cos(pos·invFreq[i])} and {@code sin[i] = sin(pos·invFreq[i])} for the token's position.
     * The angles come in as tables (see {@code nn.layers.RotaryEmbedding}, which computes them from position
     * ids, {@code rope_theta} and {@code rope_scaling}), so backends need no trigonometry and one op serves every
     * scaling rule; the gradient flows to {@code x} (and to the tables if they need one).
     *
     * @param x     {@code [B, T, heads · headDim]}, heads as contiguous slices of the last axis (as in
     *              {@link #attention}); headDim even
     * @param cos   {@code [B, T, headDim/2]}, or {@code [T, headDim/2]} shared by every batch row
     * @param sin   the same shape as {@code cos}
     * @param heads number of heads in {@code x}
     * @return the rotated {@code x}, same shape
     */
    default Tensor rotary(Tensor x, Tensor cos, Tensor sin, int heads) {
        throw notImplemented("rotary");
    }

    /**
     * Grouped-query attention (Llama 2/3, Mistral, Qwen2): {@code q} carries {@code heads} heads and {@code k},
     * {@code v} carry {@code kvHeads} heads of the same width; query head {@code h} attends with key/value head
     * {@code h / (heads / kvHeads)}, i.e. each key/value head is shared by a group of {@code heads/kvHeads}
     * consecutive query heads (HF's {@code repeat_kv}). So a key/value cache holds only the {@code kvHeads} heads.
     * With {@code kvHeads == heads} it is {@link #attention(Tensor, Tensor, Tensor, int, boolean, Tensor)}.
     * Scores are scaled by {@code 1/sqrt(headDim)}, masks as there.
     *
     * @param q       {@code [B, Tq, heads · headDim]}
     * @param k       {@code [B, Tk, kvHeads · headDim]}
     * @param v       the shape of {@code k}
     * @param kvHeads divides {@code heads}
     * @param heads number of query heads
     * @param causal as in {@link #attention(Tensor, Tensor, Tensor, int, boolean, Tensor)}
     * @param keyMask int32 {@code [B, Tk]}, 1 for a key that may be attended; or null
     * @return {@code [B, Tq, heads · headDim]}
     */
    default Tensor attention(Tensor q, Tensor k, Tensor v, int heads, int kvHeads, boolean causal, Tensor keyMask) {
        if (kvHeads == heads) {
            return attention(q, k, v, heads, causal, keyMask);
        }
        throw notImplemented("grouped-query attention (kvHeads " + kvHeads + " < heads " + heads + ")");
    }

    /** The error of a layer contract this backend does not implement (yet): what it is and what to do. */
    private UnsupportedOperationException notImplemented(String op) {
        return new UnsupportedOperationException(getClass().getSimpleName() + " does not implement " + op
                + " (a layer of the Llama family); run this model on a backend that does, such as cpu or tensorflow");
    }
}
